"""Packages whose public names load from their home modules on first use (PEP 562).

``from package import Name`` then imports only the module `Name` lives in, so a short command pays only for
what it uses. The package lists each home module with its public names, and its module ``__getattr__`` calls
`load_public_name`.
"""

from collections.abc import Mapping
from importlib import import_module
from typing import Any


def homes_index(homes: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Public name -> (home module, its name there), from home module -> its public names, space-separated."""
    return {name: (module, name) for module, names in homes.items() for name in names.split()}


def load_public_name(namespace: dict[str, Any], where: Mapping[str, tuple[str, str]], name: str) -> Any:
    """Import `name` from its home, keep it in the package's `namespace` (so this runs once) and return it.

    Raises AttributeError, as a missing module attribute does, when the package has no such public name.
    """
    try:
        module, attribute = where[name]
    except KeyError:
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    namespace[name] = value
    return value
