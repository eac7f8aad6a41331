"""Full-text search through FTS5 (SQLite) or tsvector (PostgreSQL), with the list filters."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from mercato.catalog import search
from mercato.catalog import service as catalog_service
from mercato.catalog.schemas import CategoryIn, ProductFilters, ProductIn

ROWS = [
    # name, sku, latin, short, description, notes, category, price, stock
    ("Provence Lavender", "LAV-724", "Lavandula × intermedia",
     "Harvested at dawn in the Provençal hills.",
     "Its effect is one of profound calm, like the silence between breaths.",
     ["Floral", "Herbaceous", "Sweet"], "calming", 4200, 24),
    ("Tasmanian Eucalyptus", "EUC-511", "Eucalyptus globulus",
     "The crisp, clean scent of Tasmania's ancient forests.",
     "It clears the mind as morning mist clears from mountain valleys.",
     ["Camphorous", "Fresh", "Clean"], "clarifying", 3600, 48),
    ("Calabrian Bergamot", "BER-328", "Citrus bergamia",
     "Capturing the joyful brightness of citrus groves.",
     "A note of pure sunlight, with a whisper of lavender-like softness.",
     ["Citrus", "Bright", "Spicy"], "uplifting", 4800, 0),
    ("Egyptian Neroli", "NER-410", "Citrus aurantium var. amara",
     "Orange blossom distilled by the Nile.",
     "Honeyed and green, the bitter orange's flower in a phial.",
     ["Floral", "Honeyed", "Green"], "uplifting", 9200, 6),
]  # fmt: skip


@pytest.fixture
async def shop(db):
    cats = {}
    for slug in ("calming", "clarifying", "uplifting"):
        cats[slug] = await catalog_service.create_category(db, CategoryIn(name=slug.title()))
    for name, sku, latin, short, desc, notes, cat, price, stock in ROWS:
        await catalog_service.create_product(
            db,
            ProductIn(
                name=name,
                sku=sku,
                latin_name=latin,
                short_description=short,
                description=desc,
                scent_notes=notes,
                category_id=cats[cat].id,
                price=price,
            ),
            stock=stock,
        )


async def found(db, q, sort="relevance", **filters) -> list[str]:
    page = await catalog_service.list_products(db, ProductFilters(q=q, **filters), sort=sort)
    return [card.product.sku for card in page.items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bergamia", {"BER-328"}),  # latin name
        ("Lavandula", {"LAV-724"}),
        ("camphorous", {"EUC-511"}),  # a scent note
        ("honeyed", {"NER-410"}),  # scent note and description
        ("floral", {"LAV-724", "NER-410"}),
        ("citrus", {"BER-328", "NER-410"}),
        ("euca", {"EUC-511"}),  # prefix of a word
        ("provencal", {"LAV-724"}),  # accents folded
        ("ancient forests", {"EUC-511"}),  # every word must match
        ("mandrake", set()),
    ],
)
async def test_search_finds_by_each_field(db, shop, q, expected):
    assert set(await found(db, q)) == expected


async def test_name_matches_rank_above_description_matches(db, shop):
    # Given "lavender" in one product's name and in another's description only
    # Then the product named for it comes first
    assert await found(db, "lavender") == ["LAV-724", "BER-328"]


async def test_search_combines_with_filters_and_sorts(db, shop):
    assert await found(db, "citrus", category="uplifting", in_stock=True) == ["NER-410"]
    assert await found(db, "citrus", max_price=5000) == ["BER-328"]
    assert await found(db, "citrus", sort="price_desc") == ["NER-410", "BER-328"]
    page = await catalog_service.list_products(db, ProductFilters(q="floral"), per_page=1)
    assert page.total == 2 and len(page.items) == 1


@pytest.mark.parametrize(
    "q",
    ['"', 'NEAR(', "lav*", "a OR b", "NOT", "AND", "'; DROP TABLE products; --", "col:val",
     "^", "(((", "lav & | !", "\\", "\x00", "💐", "   "],
)  # fmt: skip
async def test_query_syntax_in_input_is_plain_text(db, shop, q):
    await found(db, q)  # no error; the result is whatever the words match


async def test_punctuation_only_is_no_search(db, shop):
    assert len(await found(db, '"*()')) == len(ROWS)


async def test_index_follows_updates_and_deletes(db, shop):
    page = await catalog_service.list_products(db, ProductFilters(q="neroli"))
    product = page.items[0].product
    data = ProductIn(
        name="Egyptian Orange Blossom",
        sku=product.sku,
        price=product.price,
        scent_notes=["Petals"],
        latin_name=product.latin_name,
    )
    await catalog_service.update_product(db, product.id, data)
    assert await found(db, "neroli") == []
    assert await found(db, "petals") == ["NER-410"]
    await catalog_service.soft_delete_product(db, product.id)
    assert await found(db, "petals") == []


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=40))
async def test_any_text_is_a_valid_query(db, shop, q):
    await found(db, q)


def test_query_builders_emit_only_quoted_words():
    words = search.terms('Lav" NEAR( x:* Ñeroli')
    assert words == ["lav", "near", "x", "neroli"]
    assert search.fts5_query(words) == '"lav"* "near"* "x"* "neroli"*'
    assert search.tsquery(words) == "lav:* & near:* & x:* & neroli:*"


def test_migration_stores_the_document_the_search_describes():
    path = Path(__file__).parents[2] / "migrations/versions/2026-11-30_search_document.py"
    spec = importlib.util.spec_from_file_location("search_document_migration", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.PG_DOCUMENT == search.PG_DOCUMENT


async def test_postgresql_uses_the_gin_index(db, shop):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    await db.execute(text("SET LOCAL enable_seqscan = off"))
    match = search.match(db, "lavender")
    from sqlalchemy import select

    from mercato.models.catalog import Product

    compiled = (
        select(Product.id)
        .where(match.condition)
        .compile(dialect=db.get_bind().dialect, compile_kwargs={"literal_binds": True})
    )
    plan = "\n".join(r[0] for r in await db.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_products_search_document" in plan
    # the subquery other modules join (Qala's brand discovery) uses it too
    sub = search.matches(db, "lavender")
    compiled = select(sub.c.product_id, sub.c.rank).compile(
        dialect=db.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    plan = "\n".join(r[0] for r in await db.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_products_search_document" in plan


async def test_a_search_past_the_cap_ranks_its_first_matches(db, shop, monkeypatch):
    """With more matches than COUNT_CAP, the first COUNT_CAP + 1 by id are ranked (and are
    all its pages hold); the total says "more than COUNT_CAP"."""
    monkeypatch.setattr(catalog_service, "COUNT_CAP", 1)
    # all four products hold a word starting with "c" (calm, crisp, citrus, citrus)
    everything = await catalog_service.list_products(
        db, ProductFilters(q="c"), sort="relevance", per_page=10
    )
    assert (everything.total, everything.total_exact) == (1, False)
    assert everything.pages == 1 and not everything.has_next  # the candidates are all
    ranked = [c.product.sku for c in everything.items]
    # only the two oldest matches are candidates, in relevance order
    assert sorted(ranked) == ["EUC-511", "LAV-724"]
    assert len(ranked) == 2
    # a search with fewer matches than the cap is whole and exact
    monkeypatch.setattr(catalog_service, "COUNT_CAP", 2)
    two = await catalog_service.list_products(db, ProductFilters(q="citrus"), sort="relevance")
    assert (two.total, two.total_exact) == (2, True)


async def test_a_search_past_the_cap_pages_without_repeats(db, shop, monkeypatch):
    monkeypatch.setattr(catalog_service, "COUNT_CAP", 2)
    filters = ProductFilters(q="c")
    pages = [
        await catalog_service.list_products(db, filters, sort="relevance", page=n, per_page=1)
        for n in (1, 2, 3, 4)
    ]
    skus = [c.product.sku for p in pages for c in p.items]
    assert len(skus) == 3 == len(set(skus))  # the three candidates, once each
    assert [(p.total, p.total_exact) for p in pages] == [(2, False)] * 4


async def test_postgresql_search_index_keeps_no_pending_list(db):
    """Entries go straight into the GIN index: a search never scans unmerged ones."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    options = await db.scalar(
        text("SELECT reloptions FROM pg_class WHERE relname = 'ix_products_search_document'")
    )
    assert "fastupdate=off" in options
