"""Benchmarks (``make bench``): each prints one JSON object per figure, ``{"name", "value", "unit"}``."""
