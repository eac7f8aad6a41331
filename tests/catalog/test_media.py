"""Images keep one primary and an order; tags are unique and assigned as a set."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from mercato.catalog import media
from mercato.catalog import repository as catalog_repo
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import ProductIn
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models.catalog import ProductImage


@pytest.fixture
async def product(db):
    return await catalog_service.create_product(
        db, ProductIn(name="Provence Lavender", sku="LAV-724", price=4200)
    )


async def _state(db, product_id):
    return [
        (i.storage_key, i.position, i.is_primary)
        for i in await catalog_repo.product_images(db, product_id)
    ]


async def test_first_image_is_primary_and_alt_defaults_to_the_name(db, product):
    first = await media.add_image(db, product.id, storage_key="p/1.webp", width=800, height=800)
    await media.add_image(db, product.id, storage_key="p/2.webp", alt_text="Phial with seal")
    assert first.alt_text == "Provence Lavender"
    assert await _state(db, product.id) == [("p/1.webp", 0, True), ("p/2.webp", 1, False)]


async def test_one_primary_at_a_time(db, product):
    await media.add_image(db, product.id, storage_key="p/1.webp")
    second = await media.add_image(db, product.id, storage_key="p/2.webp", primary=True)
    assert await _state(db, product.id) == [("p/1.webp", 0, False), ("p/2.webp", 1, True)]
    first_id = (await catalog_repo.product_images(db, product.id))[0].id
    await media.set_primary_image(db, product.id, first_id)
    assert [p for _, _, p in await _state(db, product.id)] == [True, False]
    assert second.is_primary is False


async def test_the_database_refuses_two_primaries(db, product):
    await media.add_image(db, product.id, storage_key="p/1.webp")
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            db.add(ProductImage(product_id=product.id, storage_key="p/x.webp", is_primary=True))
            await db.flush()


async def test_removing_the_primary_promotes_the_next(db, product):
    first = await media.add_image(db, product.id, storage_key="p/1.webp")
    await media.add_image(db, product.id, storage_key="p/2.webp")
    await media.remove_image(db, product.id, first.id)
    assert await _state(db, product.id) == [("p/2.webp", 1, True)]


async def test_reorder_needs_every_image_once(db, product):
    a = await media.add_image(db, product.id, storage_key="p/a.webp")
    b = await media.add_image(db, product.id, storage_key="p/b.webp")
    await media.reorder_images(db, product.id, [b.id, a.id])
    assert [k for k, _, _ in await _state(db, product.id)] == ["p/b.webp", "p/a.webp"]
    with pytest.raises(ValidationFailed) as caught:
        await media.reorder_images(db, product.id, [b.id])
    assert caught.value.field == "image_ids"


async def test_an_image_of_another_product_is_not_found(db, product):
    other = await catalog_service.create_product(
        db, ProductIn(name="Bergamot", sku="BER-328", price=4800)
    )
    foreign = await media.add_image(db, other.id, storage_key="p/o.webp")
    with pytest.raises(NotFound):
        await media.set_primary_image(db, product.id, foreign.id)
    with pytest.raises(NotFound):
        await media.remove_image(db, product.id, foreign.id)


async def test_tags(db, product):
    floral = await media.create_tag(db, "  Floral   notes ")
    gift = await media.create_tag(db, "Gift")
    assert (floral.name, floral.slug) == ("Floral notes", "floral-notes")
    with pytest.raises(ValidationFailed) as duplicate:
        await media.create_tag(db, "Gift", slug="present")
    assert duplicate.value.field == "name"
    tags = await media.set_product_tags(db, product.id, [gift.id, floral.id, gift.id])
    assert [t.slug for t in tags] == ["floral-notes", "gift"]
    assert [t.slug for t in await media.set_product_tags(db, product.id, [gift.id])] == ["gift"]
    with pytest.raises(ValidationFailed) as unknown:
        await media.set_product_tags(db, product.id, [987654])
    assert unknown.value.field == "tag_ids"
