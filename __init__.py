"""askdocs: self-hosted retrieval-augmented chat over your own documents."""

__version__ = "0.1.0"
