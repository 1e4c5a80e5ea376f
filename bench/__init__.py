"""Benchmark: bare Temporal ceiling vs. tdkt through its HTTP API (`python -m bench`)."""
