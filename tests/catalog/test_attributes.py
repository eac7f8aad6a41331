"""Typed attributes: each type accepts its values, refuses others with the attribute's field,
and comes back as the same Python value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mercato.catalog import attributes
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import ProductIn
from mercato.kit.errors import NotFound, ValidationFailed


@pytest.fixture
async def product(db):
    return await catalog_service.create_product(
        db, ProductIn(name="Case of Lavender", sku="CASE-1", price=30000)
    )


@pytest.fixture
async def definitions(db):
    specs = [
        ("grade", "Grade", "choice", ["A", "B"]),
        ("case_size", "Case size", "int", None),
        ("purity", "Purity", "decimal", None),
        ("organic", "Organic", "bool", None),
        ("deposit", "Deposit", "money", None),
        ("note", "Note", "text", None),
    ]
    for position, (code, label, kind, choices) in enumerate(specs):
        await attributes.define_attribute(
            db, code=code, label=label, type=kind, choices=choices, position=position
        )


async def test_values_round_trip_by_type(db, product, definitions):
    # When each attribute is set with a value of its type
    await attributes.set_attributes(
        db,
        product.id,
        {
            "grade": "A",
            "case_size": 12,
            "purity": "99.125",
            "organic": True,
            "deposit": 250,
            "note": " Keep cool ",
        },
    )
    # Then they come back typed, in definition order
    values = await attributes.attributes_of(db, product.id)
    assert values == {
        "grade": "A",
        "case_size": 12,
        "purity": Decimal("99.125"),
        "organic": True,
        "deposit": 250,
        "note": "Keep cool",
    }
    assert list(values) == ["grade", "case_size", "purity", "organic", "deposit", "note"]
    # And a value can be changed and cleared
    await attributes.set_attributes(db, product.id, {"case_size": 24, "note": None})
    values = await attributes.attributes_of(db, product.id)
    assert values["case_size"] == 24 and "note" not in values


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        ("grade", "C"),
        ("case_size", "12"),
        ("case_size", True),
        ("case_size", 1.5),
        ("purity", "1.1234567"),
        ("purity", 0.1),
        ("purity", "lots"),
        ("purity", "NaN"),
        ("organic", "yes"),
        ("deposit", 2.5),
        ("note", "   "),
        ("note", "x" * 501),
        ("unknown_code", 1),
    ],
)
async def test_wrong_values_are_refused_with_the_attribute_field(
    db, product, definitions, code, raw
):
    # Given a valid value already stored
    await attributes.set_attributes(db, product.id, {"case_size": 6})
    # When a wrong value comes along with a valid change
    with pytest.raises(ValidationFailed) as caught:
        await attributes.set_attributes(db, product.id, {"case_size": 8, code: raw})
    # Then it is refused, naming the attribute, and nothing was written
    assert caught.value.field == f"attributes.{code}"
    assert (await attributes.attributes_of(db, product.id))["case_size"] == 6


async def test_required_attribute_cannot_be_cleared(db, product):
    await attributes.define_attribute(
        db, code="batch", label="Batch", type="text", is_required=True
    )
    with pytest.raises(ValidationFailed, match="Batch is required"):
        await attributes.set_attributes(db, product.id, {"batch": None})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "Bad Code", "label": "x", "type": "text"}, "code"),
        ({"code": "size", "label": " ", "type": "text"}, "label"),
        ({"code": "size", "label": "Size", "type": "colour"}, "type"),
        ({"code": "size", "label": "Size", "type": "choice"}, "choices"),
        ({"code": "size", "label": "Size", "type": "choice", "choices": ["S", "S"]}, "choices"),
        ({"code": "size", "label": "Size", "type": "int", "choices": ["S"]}, "choices"),
    ],
)
async def test_definition_rules(db, kwargs, field):
    with pytest.raises(ValidationFailed) as caught:
        await attributes.define_attribute(db, **kwargs)
    assert caught.value.field == field


async def test_codes_are_unique(db):
    await attributes.define_attribute(db, code="size", label="Size", type="text")
    with pytest.raises(ValidationFailed) as caught:
        await attributes.define_attribute(db, code="size", label="Other", type="int")
    assert caught.value.field == "code"


async def test_attributes_of_a_missing_product(db):
    with pytest.raises(NotFound):
        await attributes.set_attributes(db, 987654, {})
