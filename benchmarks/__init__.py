"""Benchmarks, run on demand: ``python -m benchmarks [NAME ...] [--scale S]``."""
