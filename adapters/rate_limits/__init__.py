"""RateLimiter adapters."""
