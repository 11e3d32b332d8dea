"""Clock and IdGenerator adapters backed by the operating system."""
