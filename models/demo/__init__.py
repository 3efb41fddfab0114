"""Realistic, deterministic demo data for a new profile, tests and benchmarks."""
