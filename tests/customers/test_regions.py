"""Regions of countries whose taxes go by state: any spelling becomes the code tax rules use."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mercato.customers.forms import parse_address
from mercato.customers.schemas import AddressIn

BASE = {"first_name": "Clara", "last_name": "Whitfield", "line1": "12 Hudson St", "city": "X"}


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("US", "New York", "NY"),
        ("US", "  new   york ", "NY"),
        ("US", "ny", "NY"),
        ("US", "US-NY", "NY"),
        ("US", "District of Columbia", "DC"),
        ("CA", "Quebec", "QC"),
        ("CA", "Québec", "QC"),
        ("AU", "New South Wales", "NSW"),
        # Elsewhere nothing matches on the region: it stays as the person wrote it.
        ("FR", "Île-de-France", "Île-de-France"),
        ("VN", "Quận 1", "Quận 1"),
        ("VN", "Hà Nội", "Hà Nội"),
        ("BD", "", ""),
    ],
)
def test_region_is_stored_as_tax_rules_name_it(country: str, typed: str, stored: str) -> None:
    assert AddressIn(**BASE, country=country, region=typed).region == stored


@pytest.mark.parametrize(("country", "typed"), [("US", ""), ("US", "Neverland"), ("CA", "Texas")])
def test_unknown_or_missing_state_is_refused_on_the_region_field(country: str, typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AddressIn(**BASE, country=country, region=typed)
    assert [e["loc"] for e in caught.value.errors()] == [("region",)]


def test_the_form_shows_the_message_next_to_the_region() -> None:
    address, errors = parse_address({**BASE, "country": "US", "region": "Gotham"})
    assert address is None
    assert list(errors) == ["region"]
    assert errors["region"] == ["Choose a state, by its name or its code (New York or NY)."]
