"""The immobility rule and what surrounds it: bouts, the adaptive threshold, summaries, presets, methods."""
