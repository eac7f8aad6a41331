"""Turning a posted address form into an AddressIn, with messages per field."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mercato.customers.schemas import AddressIn
from mercato.kit.errors import validation_message
from mercato.kit.i18n import N_

FIELDS = tuple(AddressIn.model_fields)
MESSAGES = {
    "string_too_short": N_("Please fill this in."),
    "missing": N_("Please fill this in."),
}


def parse_address(values: dict[str, Any]) -> tuple[AddressIn | None, dict[str, list[str]]]:
    """The address, or None and the problems keyed by field name (shown next to each input)."""
    data = {name: values.get(name, "") for name in FIELDS}
    if not data["country"]:
        data["country"] = "US"
    try:
        return AddressIn(**data), {}
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else "__all__"
            message = MESSAGES.get(error["type"], validation_message(error))
            errors.setdefault(name, []).append(message)
        return None, errors
