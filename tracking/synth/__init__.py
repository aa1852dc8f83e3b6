"""Synthetic forced-swim videos with exactly known immobility, for tests, the demo and benchmarks."""
