"""Benchmarks of the sipgate integration (README "Benchmarks"): ``scripts/bench``."""
