"""Screens of the terminal app, each thin: widgets, keys, and calls into behavlab.services in workers."""
