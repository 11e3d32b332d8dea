"""UrlFetcher adapters: downloads of caller-supplied URLs, guarded against SSRF."""
