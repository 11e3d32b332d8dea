"""Redis plumbing shared by the Redis adapters: the lazily created client and its errors."""
