"""What a technician types, read into values, with errors that name the field and what is accepted."""

from datetime import datetime

from behavlab.errors import InvalidInputError
from behavlab.services.precision import refuse_finer_than


def number(text: str, field: str) -> float:
    """A decimal number typed into `field`."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise InvalidInputError(f"{field}: {text!r} is not a number; accepted: e.g. 24.5") from None


def optional_number(text: str, field: str) -> float | None:
    """A decimal number, or None when the field was left empty."""
    return number(text, field) if text.strip() else None


def measured(text: str, field: str, step: float, unit: str) -> float | None:
    """A number typed into `field` to its precision `step` (a finer one is refused), or None when empty."""
    value = optional_number(text, field)
    refuse_finer_than(value, step, unit, field)
    return value


def optional_int(text: str, field: str) -> int | None:
    """A whole number, or None when the field was left empty."""
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInputError(f"{field}: {text!r} is not a whole number; accepted: e.g. 2024") from None


def moment(text: str, field: str) -> datetime:
    """A date and time typed as YYYY-MM-DD HH:MM (local time unless an offset is given)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"{field}: {text!r} is not a date and time; accepted: YYYY-MM-DD HH:MM"
        ) from None
    return value if value.tzinfo else value.astimezone()


def words(text: str) -> list[str]:
    """Comma- or space-separated words, e.g. strata 'sex, cage'."""
    return [word for word in text.replace(",", " ").split() if word]
