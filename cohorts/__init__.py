"""Pure study logic: roster validation, randomization, blind codes, the sealed key, dose and SPT arithmetic.

Imports neither behavlab nor a database, so every rule here can be tested and reused on its own.
"""

from importlib.metadata import version

# cohorts ships inside the behavlab distribution; its version is recorded with every allocation.
__version__ = version("behavlab")
