"""The Textual terminal app for the bench; it calls behavlab.services only."""
