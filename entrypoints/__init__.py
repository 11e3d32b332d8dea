"""Entrypoints: settings, the container, the HTTP API and the CLI."""
