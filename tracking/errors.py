"""The one error base of the tracking library.

Every error tracking raises for bad input (a video it cannot read, a pose file, ROIs, presets, labels, a
signal cache, an unavailable runner) is a :class:`TrackingError`, so a caller translates them all in one
place. Its message names the file or value and what would be accepted; it never names a command-line flag.
"""


class TrackingError(Exception):
    """Bad input to the tracking library, with a message a user can act on."""
