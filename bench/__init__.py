"""Benchmarks: each figure is timed beside a baseline measured in the same run."""
