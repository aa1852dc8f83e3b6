"""behavlab: preclinical antidepressant studies in mice, from roster to unmasked result."""


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed package metadata on first use (that import takes time)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("behavlab")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
