"""Benchmarks of the sipgate integration (spec §11): ``scripts/bench``."""
