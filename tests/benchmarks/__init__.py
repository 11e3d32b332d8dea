"""Benchmarks run by `nox -s bench`; results go to docs/benchmarks.md."""
