"""The storefront list: filters, sorts, pages, and a query count that does not grow with the
page size (DESIGN.md §7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryIn, ProductFilters, ProductIn
from mercato.inventory import service as inventory_service
from mercato.kit.errors import ValidationFailed
from mercato.models.catalog import ProductImage

SEED = [
    # name, sku, price, category, rarity, season, notes, featured, stock
    ("Provence Lavender", "LAV-724", 4200, "calming", "rare", "summer",
     ["Floral", "Herbaceous", "Sweet"], True, 24),
    ("Tasmanian Eucalyptus", "EUC-511", 3600, "clarifying", "common", "autumn",
     ["Camphorous", "Fresh", "Clean"], False, 48),
    ("Calabrian Bergamot", "BER-328", 4800, "uplifting", "limited", "winter",
     ["Citrus", "Bright", "Spicy"], True, 0),
    ("Roman Chamomile", "CHA-102", 5200, "calming", "seasonal", "spring",
     ["Sweet", "Apple"], False, 3),
]  # fmt: skip


@pytest.fixture
async def shop(db):
    categories = {}
    for slug in ("calming", "clarifying", "uplifting"):
        categories[slug] = await catalog_service.create_category(db, CategoryIn(name=slug.title()))
    products = {}
    for name, sku, price, cat, rarity, season, notes, featured, stock in SEED:
        product = await catalog_service.create_product(
            db,
            ProductIn(
                name=name,
                sku=sku,
                price=price,
                category_id=categories[cat].id,
                rarity=rarity,
                season=season,
                scent_notes=notes,
                is_featured=featured,
            ),
            stock=stock,
        )
        products[sku] = product
    # Creation order is the "newest" order; make it unambiguous
    for age, sku in enumerate(reversed([row[1] for row in SEED])):
        products[sku].created_at -= timedelta(minutes=age)
    await db.flush()
    return products


async def skus(db, filters=None, **kwargs) -> list[str]:
    page = await catalog_service.list_products(db, filters, **kwargs)
    return [card.product.sku for card in page.items]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ProductFilters(category="calming"), {"LAV-724", "CHA-102"}),
        (ProductFilters(rarity="limited"), {"BER-328"}),
        (ProductFilters(season="autumn"), {"EUC-511"}),
        (ProductFilters(scent_note="sweet"), {"LAV-724", "CHA-102"}),
        (ProductFilters(scent_note="Citrus"), {"BER-328"}),
        (ProductFilters(scent_note="Smoky"), set()),
        (ProductFilters(min_price=4000, max_price=5000), {"LAV-724", "BER-328"}),
        (ProductFilters(in_stock=True), {"LAV-724", "EUC-511", "CHA-102"}),
        (ProductFilters(featured=True), {"LAV-724", "BER-328"}),
        (ProductFilters(category="calming", in_stock=True, max_price=5000), {"LAV-724"}),
    ],
)
async def test_filters(db, shop, filters, expected):
    page = await catalog_service.list_products(db, filters)
    assert {card.product.sku for card in page.items} == expected
    # The total comes from a leaner COUNT (joins only where a filter needs them): same rows.
    assert page.total == len(expected)


async def test_search_total_matches_its_rows(db, shop):
    page = await catalog_service.list_products(db, ProductFilters(q="lavender"))
    assert page.total == len(page.items) == 1


async def test_in_stock_counts_reserved_units_as_gone(db, shop):
    # Given the last 3 chamomile are held by a checkout
    chamomile = shop["CHA-102"]
    await inventory_service.reserve(
        db, [(chamomile.id, 3)], reference="ORD-1", ttl=timedelta(minutes=15)
    )
    # Then it is no longer "in stock"
    assert "CHA-102" not in await skus(db, ProductFilters(in_stock=True))


async def test_inactive_products_are_only_in_admin_lists(db, shop):
    shop["EUC-511"].is_active = False
    await db.flush()
    assert "EUC-511" not in await skus(db)
    assert "EUC-511" in await skus(db, ProductFilters(include_inactive=True))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price_asc", ["EUC-511", "LAV-724", "BER-328", "CHA-102"]),
        ("price_desc", ["CHA-102", "BER-328", "LAV-724", "EUC-511"]),
        ("name", ["BER-328", "LAV-724", "CHA-102", "EUC-511"]),
        ("newest", ["CHA-102", "BER-328", "EUC-511", "LAV-724"]),
        ("featured", ["BER-328", "LAV-724", "CHA-102", "EUC-511"]),
    ],
)
async def test_sorts(db, shop, sort, expected):
    assert await skus(db, sort=sort) == expected


async def test_pagination(db, shop):
    page = await catalog_service.list_products(db, sort="price_asc", page=2, per_page=3)
    assert (page.total, page.pages, page.page) == (4, 2, 2)
    assert [card.product.sku for card in page.items] == ["CHA-102"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"filters": ProductFilters(rarity="mythic")}, "rarity"),
        ({"filters": ProductFilters(season="monsoon")}, "season"),
        ({"filters": ProductFilters(min_price=500, max_price=100)}, "min_price"),
    ],
)
async def test_bad_list_parameters_are_refused_with_a_field(db, kwargs, field):
    with pytest.raises(ValidationFailed) as caught:
        await catalog_service.list_products(db, **kwargs)
    assert caught.value.field == field


async def test_cards_carry_category_stock_and_primary_image(db, shop):
    lavender = shop["LAV-724"]
    db.add_all(
        [
            ProductImage(product_id=lavender.id, storage_key="p/lav-2.webp", position=0),
            ProductImage(
                product_id=lavender.id, storage_key="p/lav-1.webp", position=1, is_primary=True
            ),
        ]
    )
    await db.flush()
    page = await catalog_service.list_products(db, ProductFilters(category="calming"))
    cards = {card.product.sku: card for card in page.items}
    assert cards["LAV-724"].primary_image.storage_key == "p/lav-1.webp"
    assert cards["LAV-724"].category.slug == "calming"
    assert cards["LAV-724"].inventory.quantity == 24 and cards["LAV-724"].in_stock
    assert cards["CHA-102"].primary_image is None


async def _queries_for_page(db, per_page: int) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = await catalog_service.list_products(db, per_page=per_page)
        for card in page.items:  # what a card template touches must already be loaded
            _ = (card.category and card.category.name, card.in_stock, card.primary_image)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


async def test_query_count_does_not_grow_with_the_page(db, shop):
    # Given 30 more products, each with an image
    for n in range(30):
        product = await catalog_service.create_product(
            db, ProductIn(name=f"Essence {n}", sku=f"ESS-{n}", price=1000 + n), stock=n
        )
        db.add(ProductImage(product_id=product.id, storage_key=f"p/{n}.webp", is_primary=True))
    await db.flush()
    # When a page of 2 and a page of 30 are drawn
    small = await _queries_for_page(db, 2)
    large = await _queries_for_page(db, 30)
    # Then both take the same few queries: count, page (with category and stock), images
    assert small == large == 3


class _Settings:
    facet_cache = True


class _Runtime:
    """What the facet cache reads: the store's slug and settings, and its page cache."""

    slug = "facet-test-store"
    settings = _Settings()
    db = None


async def test_facets_are_kept_until_the_catalogue_changes(db, shop, monkeypatch):
    from mercato.platform import storefront_version
    from mercato.web.page_cache import PageCache

    runtime = _Runtime()
    runtime.page_cache = PageCache(runtime)

    async def no_shared_version(_database):
        return ""

    monkeypatch.setattr(storefront_version, "read", no_shared_version)
    calls = []
    real = catalog_service.repo.scent_notes

    async def counted(session):
        calls.append(1)
        return await real(session)

    monkeypatch.setattr(catalog_service.repo, "scent_notes", counted)
    first = await catalog_service.scent_notes(db, runtime)
    again = await catalog_service.scent_notes(db, runtime)
    assert first == again and "Citrus" in first and len(calls) == 1
    storefront_version.bump_local(runtime.slug)  # what a committed catalogue write does
    await catalog_service.scent_notes(db, runtime)
    assert len(calls) == 2
    runtime.settings = type("Off", (), {"facet_cache": False})()
    await catalog_service.scent_notes(db, runtime)
    await catalog_service.scent_notes(db, runtime)
    assert len(calls) == 4  # switched off: computed every time


async def test_total_past_the_cap_is_a_lower_bound(db, shop, monkeypatch):
    """Counting stops at COUNT_CAP + 1 rows (or at this page's end when further): the total
    is then "more than COUNT_CAP", with pages up to one past this page and no last page."""
    monkeypatch.setattr(catalog_service, "COUNT_CAP", 2)
    first = await catalog_service.list_products(db, per_page=1)
    assert (first.total, first.total_exact) == (2, False)
    assert first.pages == 3 and first.has_next and first.window() == [1, 2, 3]
    third = await catalog_service.list_products(db, page=3, per_page=1)
    assert (third.total, third.total_exact, third.pages) == (3, False, 4)
    assert third.window() == [1, 2, 3, 4] and third.has_next
    last = await catalog_service.list_products(db, page=4, per_page=1)
    assert (last.total, last.total_exact, last.pages) == (4, True, 4)
    assert not last.has_next and len(last.items) == 1
    # the pages read as one list: every product once, in the sort's order
    seen = []
    for n in (1, 2, 3, 4):
        page = await catalog_service.list_products(db, page=n, per_page=1, sort="price_asc")
        seen += [c.product.sku for c in page.items]
    assert seen == ["EUC-511", "LAV-724", "BER-328", "CHA-102"]


async def test_exact_total_up_to_the_cap(db, shop, monkeypatch):
    monkeypatch.setattr(catalog_service, "COUNT_CAP", 4)
    page = await catalog_service.list_products(db, per_page=1)
    assert (page.total, page.total_exact, page.pages) == (4, True, 4)
    assert page.window() == [1, 2, 3, 4]
