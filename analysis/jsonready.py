"""Results as plain JSON data, so a report can print or store any result of the library as it is."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any


def json_ready(value: object) -> Any:
    """``value`` as JSON data: dataclasses and mappings as dicts, tuples as lists, NaN or inf as None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: json_ready(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


class JsonReady:
    """A result dataclass that gives itself as JSON data (`to_dict`)."""

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON data: nested results as dicts, tuples as lists, NaN as None."""
        data: dict[str, Any] = json_ready(self)
        return data
