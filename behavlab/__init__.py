"""behavlab: preclinical antidepressant studies in mice, from roster to unmasked result."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("behavlab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
