"""Benchmarks (``make bench``): see docs/performance.md for what they measure and the figures."""
