"""Product and category rules: uniqueness with a field, prices, soft delete."""

from __future__ import annotations

import pytest

from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryIn, ProductIn
from mercato.inventory import repository as inventory_repo
from mercato.kit.errors import NotFound, ValidationFailed


def lavender(**changes) -> ProductIn:
    data = {
        "name": "Provence Lavender",
        "sku": "LAV-724",
        "price": 4200,
        "latin_name": "Lavandula × intermedia",
        "rarity": "rare",
        "season": "summer",
        "scent_notes": ["Floral", " Herbaceous ", "floral", ""],
        "volume_ul": 5000,
        "folio_number": "I",
        "is_featured": True,
    }
    data.update(changes)
    return ProductIn(**data)


async def test_create_product_with_opening_stock(db):
    # Given a humour category
    calming = await catalog_service.create_category(
        db, CategoryIn(name="Calming", humour_symbol="☾", colour="#B8A9C9")
    )
    # When the admin creates the seed's lavender with 24 units
    product = await catalog_service.create_product(
        db, lavender(category_id=calming.id), stock=24, actor_id=1
    )
    # Then the slug comes from the name, notes are cleaned, and stock is in the ledger
    assert (product.slug, product.sku, calming.slug) == ("provence-lavender", "LAV-724", "calming")
    assert product.scent_notes == ["Floral", "Herbaceous"]
    assert str(product.volume_ml) == "5"
    inventory = await inventory_repo.get_inventory(db, product.id)
    assert (inventory.quantity, inventory.reserved) == (24, 0)
    [opening] = await inventory_repo.movements(db, product.id)
    assert (opening.kind, opening.quantity_delta, opening.actor_id) == ("restock", 24, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": -1}, "price"),
        ({"compare_at_price": 4200}, "compare_at_price"),
        ({"compare_at_price": 100}, "compare_at_price"),
        ({"cost_price": -5}, "cost_price"),
        ({"rarity": "mythic"}, "rarity"),
        ({"season": "monsoon"}, "season"),
        ({"name": "   "}, "name"),
        ({"sku": ""}, "sku"),
        ({"slug": "Not A Slug!"}, "slug"),
        ({"category_id": 987654}, "category_id"),
        ({"volume_ul": 0}, "volume_ul"),
    ],
)
async def test_bad_product_input_names_the_field(db, changes, field):
    with pytest.raises(ValidationFailed) as caught:
        await catalog_service.create_product(db, lavender(**changes))
    assert caught.value.field == field


async def test_compare_at_above_price_or_empty_is_accepted(db):
    product = await catalog_service.create_product(db, lavender(compare_at_price=5500))
    assert product.compare_at_price == 5500


async def test_slug_and_sku_are_unique(db):
    # Given the lavender exists
    await catalog_service.create_product(db, lavender())
    # When another product takes its slug, or its SKU in another case
    with pytest.raises(ValidationFailed) as same_slug:
        await catalog_service.create_product(db, lavender(sku="LAV-999"))
    with pytest.raises(ValidationFailed) as same_sku:
        await catalog_service.create_product(db, lavender(name="Other", sku="lav-724"))
    # Then each refusal names its field
    assert same_slug.value.field == "slug"
    assert same_sku.value.field == "sku"


async def test_update_keeps_its_own_slug_and_checks_others(db):
    a = await catalog_service.create_product(db, lavender())
    b = await catalog_service.create_product(db, lavender(name="Eucalyptus", sku="EUC-511"))
    # Updating a product with its own slug and SKU is fine
    updated = await catalog_service.update_product(db, a.id, lavender(price=3900))
    assert updated.price == 3900
    # Taking the other's slug is not
    with pytest.raises(ValidationFailed) as caught:
        await catalog_service.update_product(db, b.id, lavender(sku="EUC-511"))
    assert caught.value.field == "slug"


async def test_soft_deleted_product_disappears_but_keeps_its_slug(db):
    product = await catalog_service.create_product(db, lavender())
    await catalog_service.soft_delete_product(db, product.id)
    # It is no longer found, nor listed...
    with pytest.raises(NotFound):
        await catalog_service.get_product(db, product.id)
    with pytest.raises(NotFound):
        await catalog_service.product_page(db, "provence-lavender")
    assert (await catalog_service.list_products(db)).total == 0
    # ...and its slug stays taken, so old links never point at another product
    with pytest.raises(ValidationFailed):
        await catalog_service.create_product(db, lavender(sku="LAV-725"))


async def test_category_rules(db):
    await catalog_service.create_category(db, CategoryIn(name="Grounding"))
    with pytest.raises(ValidationFailed) as duplicate:
        await catalog_service.create_category(db, CategoryIn(name="Grounding", slug="earth"))
    with pytest.raises(ValidationFailed) as colour:
        await catalog_service.create_category(db, CategoryIn(name="Airy", colour="blue"))
    assert (duplicate.value.field, colour.value.field) == ("name", "colour")
