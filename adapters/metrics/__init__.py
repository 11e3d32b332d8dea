"""Metrics adapters."""
