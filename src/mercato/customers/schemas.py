"""The address form, shared by the address book and checkout (guest addresses too)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from mercato.customers import regions

COUNTRY = re.compile(r"^[A-Z]{2}$")


class AddressIn(BaseModel):
    """A postal address as typed by a person; every field is trimmed, country is ISO 3166-1."""

    model_config = ConfigDict(str_strip_whitespace=True)

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    company: str = Field("", max_length=150)
    line1: str = Field(min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field(min_length=1, max_length=120)
    # Before the region: the region's rule depends on the country (validated in this order).
    country: str = Field("US", min_length=2, max_length=2)
    region: str = Field("", max_length=120)
    postal_code: str = Field("", max_length=20)
    phone: str = Field("", max_length=40)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        value = value.upper()
        if not COUNTRY.match(value):
            raise ValueError("choose a country")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str, info: ValidationInfo) -> str:
        return regions.normalise(info.data.get("country", ""), value)
