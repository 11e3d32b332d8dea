"""The demo corpus `askdocs serve --demo` loads: a short guide to askdocs (see README.md)."""
