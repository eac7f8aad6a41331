"""Catalogue and stock admin: lists, the product form (exact money, errors kept, no partial
writes), images, soft delete/restore, categories and tags, stock with a reason; permissions,
CSRF and audit rows."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import event, func, select
from tests.admin.conftest import ADMIN, admin_csrf, make_user, sign_in_as

from mercato.catalog import media
from mercato.catalog import service as catalog_service
from mercato.catalog.admin_forms import FormError, format_amount, parse_amount
from mercato.catalog.schemas import CategoryIn, ProductIn
from mercato.inventory import service as inventory_service
from mercato.models import AuditEntry, OutboxEvent
from mercato.models.catalog import Category, Product, ProductImage, Tag
from mercato.models.inventory import StockMovement

# --- money parsing ---------------------------------------------------------------------------


@given(
    st.integers(min_value=0, max_value=10**15 - 1), st.sampled_from(["USD", "EUR", "VND", "BHD"])
)
def test_money_round_trips_for_every_amount(amount, currency):
    # For every amount, what the form shows reads back as the same minor units.
    assert parse_amount(format_amount(amount, currency), currency) == amount


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("42", "USD", 4200),
        ("42.5", "USD", 4250),
        ("42.00", "USD", 4200),
        ("1,234.56", "USD", 123456),
        ("$0.01", "USD", 1),
        ("120000", "VND", 120000),
    ],
)
def test_amounts_parse_exactly(raw, currency, expected):
    assert parse_amount(raw, currency) == expected


@pytest.mark.parametrize("raw", ["12.345", "-3", "abc", "1.2.3", "1,23", "", "1e3", "NaN", "0.1 0"])
def test_amounts_with_too_many_decimals_or_nonsense_are_refused(raw):
    with pytest.raises(FormError):
        parse_amount(raw, "USD")


def test_vnd_refuses_decimals():
    with pytest.raises(FormError, match="no decimals"):
        parse_amount("10.5", "VND")


# --- fixtures ----------------------------------------------------------------------------------


async def _category(db, name="Calming", **extra) -> Category:
    return await catalog_service.create_category(db, CategoryIn(name=name, **extra))


async def _product(db, name="Lavender", sku="LAV-1", price=4200, stock=10, **extra) -> Product:
    return await catalog_service.create_product(
        db, ProductIn(name=name, sku=sku, price=price, **extra), stock=stock
    )


def _form(product: Product, **changes) -> dict[str, str]:
    data = {
        "name": product.name,
        "sku": product.sku,
        "slug": product.slug,
        "price": format_amount(product.price, "USD"),
        "rarity": product.rarity,
        "season": product.season,
        "is_active": "on",
    }
    data.update(changes)
    return data


def _png(size=(40, 30), colour=(120, 40, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


async def _audits(db, action: str, entity_id) -> list[AuditEntry]:
    return list(
        await db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.entity_id == str(entity_id)
            )
        )
    )


@pytest.fixture
async def staff_client(client, db, roles):
    staff = await make_user(db, roles, "clerk@example.test", ["staff"], "Clerk")
    await sign_in_as(client, db, staff)
    return client


# --- product list ----------------------------------------------------------------------------


async def test_list_shows_stock_low_badge_and_searches_by_sku(admin_client, db):
    # Given a product with plenty of stock and one at its low-stock threshold
    await _product(db, "Lavender", "LAV-1", stock=40)
    await _product(db, "Neroli", "NER-9", stock=2)
    # When the admin opens the list
    page = await admin_client.get(f"{ADMIN}/products")
    # Then both show with their stock, and the low one carries a badge
    assert page.status_code == 200
    assert "Lavender" in page.text and "Neroli" in page.text
    assert page.text.count("low stock") == 1
    # and a search by SKU finds only that product
    found = await admin_client.get(f"{ADMIN}/products", params={"q": "ner-9"})
    assert "Neroli" in found.text and "Lavender" not in found.text
    low = await admin_client.get(f"{ADMIN}/products", params={"stock": "low"})
    assert "Neroli" in low.text and "Lavender" not in low.text


async def test_list_query_count_does_not_grow_with_the_page(admin_client, db, runtime):
    async def product_queries() -> int:
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        engine = runtime.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = await admin_client.get(f"{ADMIN}/products")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len([s for s in statements if "products" in s or "product_images" in s])

    await _product(db, "Essence A", "ESS-A")
    few = await product_queries()
    for n in range(12):
        await _product(db, f"Essence {n:02d}", f"ESS-{n:02d}")
    many = await product_queries()
    # COUNT, the page with category and stock, the primary images: whatever the page size
    assert few == many <= 3


# --- product edit ----------------------------------------------------------------------------


async def test_admin_edits_price_and_name_and_the_change_is_audited(admin_client, db, admin):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    token = await admin_csrf(admin_client, url)
    response = await admin_client.post(
        url, data={**_form(product, name="Lavender Fine", price="44.50"), "csrf_token": token}
    )
    assert response.status_code == 303, response.text[:800]
    await db.refresh(product)
    assert product.name == "Lavender Fine" and product.price == 4450
    [row] = await _audits(db, "product.update", product.id)
    assert row.actor_id == admin.id
    assert row.before == {"name": "Lavender", "price": 4200}
    assert row.after == {"name": "Lavender Fine", "price": 4450}


async def test_errors_are_shown_with_the_values_kept_and_nothing_saved(admin_client, db):
    product = await _product(db)
    await _product(db, "Neroli", "NER-1")
    url = f"{ADMIN}/products/{product.id}"
    token = await admin_csrf(admin_client, url)
    # A price with three decimals, a taken SKU and a bad volume, with a new name typed
    response = await admin_client.post(
        url,
        data={
            **_form(product, name="Renamed", price="12.345", volume_ml="abc"),
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "USD amounts have at most 2 decimals." in response.text
    assert "Enter the volume in millilitres" in response.text
    assert 'value="Renamed"' in response.text and 'value="12.345"' in response.text
    assert 'aria-invalid="true"' in response.text
    await db.refresh(product)
    assert product.name == "Lavender" and product.price == 4200
    # A service rule (SKU taken) also comes back in the form, and nothing is written
    response = await admin_client.post(
        url, data={**_form(product, name="Renamed", sku="ner-1"), "csrf_token": token}
    )
    assert response.status_code == 422
    assert "Another product already uses this SKU." in response.text
    await db.refresh(product)
    assert product.name == "Lavender" and product.sku == "LAV-1"
    assert await _audits(db, "product.update", product.id) == []


async def test_compare_at_below_price_is_refused(admin_client, db):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    token = await admin_csrf(admin_client, url)
    response = await admin_client.post(
        url, data={**_form(product, compare_at_price="10.00"), "csrf_token": token}
    )
    assert response.status_code == 422
    assert "compare-at price must be higher" in response.text


async def test_create_product_with_every_field_tags_and_opening_stock(admin_client, db):
    category = await _category(db)
    tag = await media.create_tag(db, "Calming")
    token = await admin_csrf(admin_client, f"{ADMIN}/products/new")
    response = await admin_client.post(
        f"{ADMIN}/products/new",
        data={
            "csrf_token": token,
            "name": "Bulgarian Rose",
            "latin_name": "Rosa damascena",
            "sku": "rose-5",
            "slug": "",
            "short_description": "Rare rose otto",
            "description": "Long text",
            "usage_guidance": "Dilute to 1%",
            "price": "185.00",
            "compare_at_price": "200",
            "cost_price": "90.10",
            "category_id": str(category.id),
            "tag_ids": str(tag.id),
            "rarity": "limited",
            "season": "summer",
            "scent_notes": "floral, honeyed, floral",
            "extraction_method": "Steam distillation",
            "botanical_family": "Rosaceae",
            "origin": "Kazanlak, Bulgaria",
            "harvest_season": "May–June",
            "volume_ml": "2.5",
            "folio_number": "XII",
            "max_per_customer": "2",
            "is_featured": "on",
            "meta_title": "Rose otto",
            "meta_description": "Rose",
            "stock": "7",
            "low_stock_threshold": "3",
        },
    )
    assert response.status_code == 303, response.text[:1500]
    product = await db.scalar(select(Product).where(Product.sku == "ROSE-5"))
    assert product is not None
    assert product.slug == "bulgarian-rose" and product.price == 18500
    assert product.compare_at_price == 20000 and product.cost_price == 9010
    assert product.volume_ul == 2500 and product.max_per_customer == 2
    assert product.scent_notes == ["floral", "honeyed"]
    assert product.is_featured and not product.is_active
    stock = await inventory_service.stock_of(db, product.id)
    assert stock.quantity == 7 and stock.low_stock_threshold == 3
    tags = (await db.execute(select(func.count()).select_from(Tag))).scalar()
    assert tags == 1
    assert len(await _audits(db, "product.create", product.id)) == 1


async def test_max_per_customer_must_be_positive(admin_client, db):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    token = await admin_csrf(admin_client, url)
    response = await admin_client.post(
        url, data={**_form(product, max_per_customer="0"), "csrf_token": token}
    )
    assert response.status_code == 422 and "Enter 1 or more." in response.text


# --- permissions and CSRF ----------------------------------------------------------------------


async def test_staff_can_read_but_not_write(staff_client, db):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    page = await staff_client.get(url)
    assert page.status_code == 200
    assert "Save product" not in page.text  # the form is shown read-only
    token = await admin_csrf(staff_client, f"{ADMIN}/products")
    for path, data in [
        (url, _form(product, name="Hacked", price="1.00")),
        (f"{url}/delete", {}),
        (f"{url}/stock/adjust", {"kind": "restock", "quantity": "5", "reason": "x"}),
        (f"{ADMIN}/categories/new", {"name": "Nope"}),
        (f"{ADMIN}/tags", {"name": "Nope"}),
    ]:
        response = await staff_client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    await db.refresh(product)
    assert product.name == "Lavender" and product.price == 4200 and product.deleted_at is None
    assert (await inventory_service.stock_of(db, product.id)).quantity == 10
    assert await db.scalar(select(func.count()).select_from(Category)) == 0
    assert await db.scalar(select(func.count()).select_from(Tag)) == 0


async def test_customer_cannot_open_the_catalogue_admin(client, db, roles):
    customer = await make_user(db, roles, "shopper@example.test", ["customer"])
    await sign_in_as(client, db, customer)
    assert (await client.get(f"{ADMIN}/products")).status_code == 403


async def test_post_without_csrf_token_is_refused(admin_client, db):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    await admin_client.get(url)  # the CSRF cookie is set, the token is not sent
    response = await admin_client.post(url, data=_form(product, name="Forged"))
    assert response.status_code == 403
    response = await admin_client.post(
        url, data={**_form(product, name="Forged"), "csrf_token": "not-the-token"}
    )
    assert response.status_code == 403
    await db.refresh(product)
    assert product.name == "Lavender"


# --- images ------------------------------------------------------------------------------------


async def test_image_upload_with_the_form_stores_variants_and_audits(admin_client, db, runtime):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    token = await admin_csrf(admin_client, url)
    response = await admin_client.post(
        url,
        data={**_form(product, price="43.00"), "csrf_token": token, "image_alt": "A blue bottle"},
        files={"image": ("bottle.png", _png((1200, 800)), "image/png")},
    )
    assert response.status_code == 303, response.text[:800]
    [image] = list(
        await db.scalars(select(ProductImage).where(ProductImage.product_id == product.id))
    )
    assert image.is_primary and image.alt_text == "A blue bottle"
    assert image.width == 1200 and image.variants
    assert all(v["key"].endswith(".webp") for v in image.variants)
    assert (await runtime.storage.read(image.storage_key))[:3] == b"\xff\xd8\xff"  # re-encoded
    [row] = await _audits(db, "product.update", product.id)
    assert row.after["price"] == 4300 and row.after["image_added"] == image.storage_key


async def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(admin_client, db):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    token = await admin_csrf(admin_client, url)
    response = await admin_client.post(
        url,
        data={**_form(product, name="Renamed"), "csrf_token": token},
        files={"image": ("photo.png", b"<?php echo 'pwned'; ?>", "image/png")},
    )
    assert response.status_code == 422
    assert "not an image" in response.text
    await db.refresh(product)
    assert product.name == "Lavender"  # the fields were not saved either
    assert await db.scalar(select(func.count()).select_from(ProductImage)) == 0


async def test_image_over_the_size_limit_is_refused(admin_client, db, runtime, monkeypatch):
    monkeypatch.setattr(runtime.settings, "upload_max_bytes", 200)
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}/images"
    token = await admin_csrf(admin_client, f"{ADMIN}/products/{product.id}")
    response = await admin_client.post(
        url,
        data={"csrf_token": token},
        files={"image": ("big.png", _png((300, 300), (1, 2, 3)) + b"\0" * 400, "image/png")},
    )
    assert response.status_code == 422
    assert await db.scalar(select(func.count()).select_from(ProductImage)) == 0


async def test_images_alt_reorder_primary_and_remove(admin_client, db, runtime):
    product = await _product(db)
    first = await media.store_image(db, runtime.storage, product.id, _png(), max_bytes=10**6)
    second = await media.store_image(db, runtime.storage, product.id, _png(), max_bytes=10**6)
    base = f"{ADMIN}/products/{product.id}/images"
    token = await admin_csrf(admin_client, f"{ADMIN}/products/{product.id}")
    r = await admin_client.post(
        f"{base}/{second.id}/alt", data={"csrf_token": token, "alt_text": "Label side"}
    )
    assert r.status_code == 303
    r = await admin_client.post(
        f"{base}/{second.id}/move", data={"csrf_token": token, "direction": "up"}
    )
    assert r.status_code == 303
    r = await admin_client.post(f"{base}/{second.id}/primary", data={"csrf_token": token})
    assert r.status_code == 303
    await db.refresh(first)
    await db.refresh(second)
    assert second.alt_text == "Label side" and second.position == 0 and second.is_primary
    assert not first.is_primary
    r = await admin_client.post(f"{base}/{second.id}/remove", data={"csrf_token": token})
    assert r.status_code == 303
    await db.refresh(first)
    assert first.is_primary
    actions = {
        a.action
        for a in await db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "product"))
    }
    assert {
        "product.image.alt",
        "product.image.reorder",
        "product.image.primary",
        "product.image.remove",
    } <= actions


# --- delete and restore ------------------------------------------------------------------------


async def test_soft_delete_then_restore(admin_client, db):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}"
    token = await admin_csrf(admin_client, url)
    assert (await admin_client.post(f"{url}/delete", data={"csrf_token": token})).status_code == 303
    await db.refresh(product)
    assert product.deleted_at is not None and not product.is_active
    link = f'href="{url}"'
    listed = await admin_client.get(f"{ADMIN}/products")
    assert link not in listed.text
    deleted = await admin_client.get(f"{ADMIN}/products", params={"status": "deleted"})
    assert link in deleted.text
    assert (
        await admin_client.post(f"{url}/restore", data={"csrf_token": token})
    ).status_code == 303
    await db.refresh(product)
    assert product.deleted_at is None
    assert len(await _audits(db, "product.delete", product.id)) == 1
    assert len(await _audits(db, "product.restore", product.id)) == 1


# --- stock -------------------------------------------------------------------------------------


async def test_restock_from_zero_emits_restocked_event_and_writes_ledger(admin_client, db, admin):
    product = await _product(db, stock=0)
    url = f"{ADMIN}/products/{product.id}/stock"
    token = await admin_csrf(admin_client, url)
    response = await admin_client.post(
        f"{url}/adjust",
        data={"csrf_token": token, "kind": "restock", "quantity": "12", "reason": "Harvest"},
    )
    assert response.status_code == 303, response.text[:600]
    stock = await inventory_service.stock_of(db, product.id)
    assert stock.quantity == 12 and stock.last_restocked_at is not None
    events = list(
        await db.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "inventory.restocked"))
    )
    assert [e.payload for e in events] == [{"product_id": product.id, "available": 12}]
    movement = await db.scalar(
        select(StockMovement).where(
            StockMovement.product_id == product.id, StockMovement.reason == "Harvest"
        )
    )
    assert movement is not None and movement.actor_id == admin.id
    assert len(await _audits(db, "stock.restock", product.id)) == 1
    # A second restock while in stock does not announce again
    await admin_client.post(
        f"{url}/adjust",
        data={"csrf_token": token, "kind": "restock", "quantity": "3", "reason": "More"},
    )
    count = await db.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.event_type == "inventory.restocked")
    )
    assert count == 1
    page = await admin_client.get(url)
    assert "Harvest" in page.text and "More" in page.text


async def test_adjust_needs_a_reason_and_never_goes_below_reserved(admin_client, db):
    product = await _product(db, stock=5)
    await inventory_service.reserve(
        db, [(product.id, 4)], reference="ORDER-1", ttl=__import__("datetime").timedelta(hours=1)
    )
    url = f"{ADMIN}/products/{product.id}/stock"
    token = await admin_csrf(admin_client, url)
    r = await admin_client.post(
        f"{url}/adjust",
        data={"csrf_token": token, "kind": "adjustment", "quantity": "-1", "reason": ""},
    )
    assert r.status_code == 422 and "Say why the stock changes" in r.text
    r = await admin_client.post(
        f"{url}/adjust",
        data={"csrf_token": token, "kind": "adjustment", "quantity": "-3", "reason": "Broken"},
    )
    assert r.status_code == 422 and "at most 1 can be removed" in r.text
    r = await admin_client.post(
        f"{url}/adjust",
        data={"csrf_token": token, "kind": "restock", "quantity": "-3", "reason": "Oops"},
    )
    assert r.status_code == 422 and "A restock adds units" in r.text
    stock = await inventory_service.stock_of(db, product.id)
    assert stock.quantity == 5 and stock.reserved == 4


async def test_threshold_change_is_audited(admin_client, db):
    product = await _product(db)
    url = f"{ADMIN}/products/{product.id}/stock"
    token = await admin_csrf(admin_client, url)
    r = await admin_client.post(f"{url}/threshold", data={"csrf_token": token, "threshold": "x"})
    assert r.status_code == 422
    r = await admin_client.post(f"{url}/threshold", data={"csrf_token": token, "threshold": "8"})
    assert r.status_code == 303
    assert (await inventory_service.stock_of(db, product.id)).low_stock_threshold == 8
    [row] = await _audits(db, "stock.threshold", product.id)
    assert row.before == {"low_stock_threshold": 5} and row.after == {"low_stock_threshold": 8}


# --- categories and tags -----------------------------------------------------------------------


async def test_category_create_edit_and_delete_only_when_empty(admin_client, db):
    token = await admin_csrf(admin_client, f"{ADMIN}/categories/new")
    r = await admin_client.post(
        f"{ADMIN}/categories/new",
        data={"csrf_token": token, "name": "Melancholic", "humour_symbol": "♁", "colour": "zz"},
    )
    assert r.status_code == 422 and "#RRGGBB" in r.text and 'value="Melancholic"' in r.text
    r = await admin_client.post(
        f"{ADMIN}/categories/new",
        data={
            "csrf_token": token,
            "name": "Melancholic",
            "humour_symbol": "♁",
            "colour": "8a7f6b",
            "sort_order": "3",
            "description": "Earthy",
        },
    )
    assert r.status_code == 303
    category = await db.scalar(select(Category).where(Category.slug == "melancholic"))
    assert category.colour == "#8a7f6b" and category.sort_order == 3
    r = await admin_client.post(
        f"{ADMIN}/categories/{category.id}",
        data={
            "csrf_token": token,
            "name": "Melancholic earth",
            "slug": "melancholic",
            "colour": "#8A7F6B",
        },
    )
    assert r.status_code == 303
    await db.refresh(category)
    assert category.name == "Melancholic earth"
    await _product(db, category_id=category.id)
    r = await admin_client.post(
        f"{ADMIN}/categories/{category.id}/delete", data={"csrf_token": token}
    )
    assert r.status_code == 409 and "still use this category" in r.text
    listing = await admin_client.get(f"{ADMIN}/categories")
    assert "Melancholic earth" in listing.text
    actions = [
        a.action
        for a in await db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "category"))
    ]
    assert sorted(actions) == ["category.create", "category.update"]


async def test_tags_crud(admin_client, db):
    token = await admin_csrf(admin_client, f"{ADMIN}/tags")
    r = await admin_client.post(f"{ADMIN}/tags", data={"csrf_token": token, "name": "Gift ideas"})
    assert r.status_code == 303
    tag = await db.scalar(select(Tag).where(Tag.slug == "gift-ideas"))
    other = await media.create_tag(db, "Calming")
    r = await admin_client.post(f"{ADMIN}/tags", data={"csrf_token": token, "name": "Calming"})
    assert r.status_code == 422 and "already has this name" in r.text
    r = await admin_client.post(
        f"{ADMIN}/tags/{tag.id}", data={"csrf_token": token, "name": "Calming", "slug": ""}
    )
    assert r.status_code == 422 and "already has this name" in r.text
    r = await admin_client.post(
        f"{ADMIN}/tags/{tag.id}", data={"csrf_token": token, "name": "Gifts", "slug": "gifts"}
    )
    assert r.status_code == 303
    await db.refresh(tag)
    assert tag.name == "Gifts"
    r = await admin_client.post(f"{ADMIN}/tags/{other.id}/delete", data={"csrf_token": token})
    assert r.status_code == 303
    assert await db.get(Tag, other.id) is None or other.id not in [
        t.id for t in await db.scalars(select(Tag))
    ]
    actions = sorted(
        a.action
        for a in await db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "tag"))
    )
    assert actions == ["tag.create", "tag.delete", "tag.update"]


async def test_pages_link_the_storefront_and_render(admin_client, db):
    product = await _product(db, is_active=True)
    page = await admin_client.get(f"{ADMIN}/products/{product.id}")
    assert page.status_code == 200
    assert re.search(r'href="[^"]*/essences/lavender"', page.text)
    for path in ("products/new", "categories", "categories/new", "tags"):
        assert (await admin_client.get(f"{ADMIN}/{path}")).status_code == 200, path
