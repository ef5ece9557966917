"""Benchmarks: ``python -m bench`` prints metric, value, baseline, ratio and target."""
