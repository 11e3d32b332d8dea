"""The askdocs domain: plain data and rules, standard library only."""
