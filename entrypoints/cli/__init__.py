"""The `askdocs` command line."""
