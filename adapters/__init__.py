"""Adapters: one subpackage per port, one module per technology."""
