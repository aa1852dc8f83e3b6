"""Evaluating scorings: human labels, scorings from any source, agreement, comparison and calibration."""
