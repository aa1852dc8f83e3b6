"""The immobility rule and what surrounds it: bouts, threshold, summaries, presets, methods, result type."""
