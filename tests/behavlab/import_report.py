"""What a new interpreter imports, read from its ``-X importtime`` report: the start-up budget's tests.

A module imported by `importlib.import_module` is not in the report, but every library such a module
imports is.
"""

import subprocess
import sys

#: Libraries nothing loads at start, before the work that needs them (migration, statistics, video).
NOT_AT_START = ("alembic", "pandas", "numpy", "cv2", "av", "scipy", "matplotlib")


def imported_modules(*args: str) -> set[str]:
    """The modules `python -X importtime ARGS...` imported, from its report on stderr."""
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, check=False
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in finished.stderr.splitlines()
        if line.startswith("import time:")
    }


def loaded(modules: set[str], libraries: tuple[str, ...]) -> list[str]:
    """The libraries of `libraries` (or any of their submodules) among `modules`."""
    return sorted({name.split(".")[0] for name in modules} & set(libraries))
