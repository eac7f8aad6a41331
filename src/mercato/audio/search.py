"""Vietnamese product search: diacritics-insensitive, prefix- and typo-tolerant, with filters
and facet counts, cached until the storefront changes.

Every product has a row in ``search_documents`` holding its text folded by
``mercato.seo.text.fold`` ("Loa Tài Lộc" → "loa tai loc", đ→d), built by ``index_products``
(the seed, and the ``audio.reindex_search`` job for products edited since). A query is
folded the same way, so "loa", "Loa" and "lòa" meet, and "tai loc" finds "Tài Lộc".

- SQLite: FTS5 over the folded text; each word is a quoted prefix term ("loa"* "kar"*), so
  a half-typed word matches; shopper input is never FTS syntax.
- PostgreSQL: a GIN tsvector ('simple' configuration, as Vietnamese has no stemmer) with
  prefix terms; when that finds nothing, a trigram ``word_similarity`` fallback over the
  same text forgives a typo ("sennhiser").
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    and_,
    column,
    delete,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.audio import specs
from mercato.catalog import repository as catalog_repo
from mercato.kit.time import utcnow
from mercato.models.audio import SearchDocument, product_categories
from mercato.models.catalog import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttributeValue,
)
from mercato.seo.text import fold, words

PG_DOCUMENT = "to_tsvector('simple'::regconfig, document)"
TRIGRAM_THRESHOLD = 0.45
PER_PAGE = 24
MAX_PAGE = 200
SORTS = ("relevance", "price_asc", "price_desc", "newest", "name")


# ---------------------------------------------------------------- the index


async def index_products(db: AsyncSession, product_ids: list[int] | None = None) -> int:
    """(Re)build the folded search text of these products (all when None). Also makes sure a
    product's main category is among its linked categories, so filters see it."""
    stmt = select(Product).where(Product.deleted_at.is_(None))
    if product_ids is not None:
        if not product_ids:
            return 0
        stmt = stmt.where(Product.id.in_(product_ids))
    products = list(await db.scalars(stmt.order_by(Product.id)))
    if not products:
        return 0
    ids = [p.id for p in products]
    links: dict[int, set[int]] = {pid: set() for pid in ids}
    for pid, cid in await db.execute(
        select(product_categories.c.product_id, product_categories.c.category_id).where(
            product_categories.c.product_id.in_(ids)
        )
    ):
        links[pid].add(cid)
    missing: list[dict[str, int]] = [
        {"product_id": p.id, "category_id": p.category_id}
        for p in products
        if p.category_id is not None and p.category_id not in links[p.id]
    ]
    if missing:
        await db.execute(product_categories.insert(), missing)
        for link in missing:
            links[link["product_id"]].add(link["category_id"])
    names = {c.id: c.name for c in await db.scalars(select(Category))}
    values: dict[int, list[str]] = {pid: [] for pid in ids}
    rows = await db.execute(
        select(
            ProductAttributeValue.product_id,
            ProductAttributeValue.value_text,
            ProductAttributeValue.value_int,
            AttributeDefinition.code,
        )
        .join(AttributeDefinition, AttributeDefinition.id == ProductAttributeValue.definition_id)
        .where(ProductAttributeValue.product_id.in_(ids))
    )
    for pid, text_value, int_value, code in rows:
        if text_value:
            values[pid].append(text_value)
        elif int_value is not None and code in specs.BY_CODE:
            values[pid].append(specs.display(code, int_value, translated=False))
    existing = {
        d.product_id: d
        for d in await db.scalars(select(SearchDocument).where(SearchDocument.product_id.in_(ids)))
    }
    now = utcnow()
    for product in products:
        parts = [
            product.name,
            product.sku,
            *(names.get(cid, "") for cid in sorted(links[product.id])),
            *values[product.id],
            product.short_description,
            product.description,
        ]
        document = fold(" ".join(p for p in parts if p))
        row = existing.get(product.id)
        if row is None:
            db.add(
                SearchDocument(
                    product_id=product.id,
                    document=document,
                    source_updated_at=product.updated_at,
                    indexed_at=now,
                )
            )
        else:
            if row.document != document:
                row.document = document
            row.source_updated_at = product.updated_at
            row.indexed_at = now
    await db.flush()
    return len(products)


async def stale_product_ids(db: AsyncSession, limit: int = 500) -> list[int]:
    """Live products without a search row or edited since it was built."""
    stmt = (
        select(Product.id)
        .outerjoin(SearchDocument, SearchDocument.product_id == Product.id)
        .where(
            Product.deleted_at.is_(None),
            or_(
                SearchDocument.product_id.is_(None),
                SearchDocument.source_updated_at.is_(None),
                SearchDocument.source_updated_at < Product.updated_at,
            ),
        )
        .order_by(Product.id)
        .limit(limit)
    )
    return list(await db.scalars(stmt))


async def drop_deleted(db: AsyncSession) -> None:
    gone = select(Product.id).where(Product.deleted_at.is_not(None))
    await db.execute(delete(SearchDocument).where(SearchDocument.product_id.in_(gone)))


# ---------------------------------------------------------------- matching


def _is_pg(db: AsyncSession) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _match(db: AsyncSession, terms: list[str]) -> Any:
    """A subquery (product_id, rank) of documents holding every term as a word prefix."""
    if _is_pg(db):
        docs = table("search_documents", column("product_id", Integer), column("document"))
        document: Any = literal_column(f"({PG_DOCUMENT})")
        query = func.to_tsquery(
            literal_column("'simple'::regconfig"), " & ".join(f"{t}:*" for t in terms)
        )
        return (
            select(
                docs.c.product_id.label("product_id"),
                (-func.ts_rank_cd(document, query)).label("rank"),
            )
            .where(document.bool_op("@@")(query))
            .subquery("matched")
        )
    fts = table("search_documents_fts", column("rowid", Integer))
    return (
        select(
            fts.c.rowid.label("product_id"),
            literal_column("bm25(search_documents_fts)", Float).label("rank"),
        )
        .where(
            literal_column("search_documents_fts").op("MATCH")(" ".join(f'"{t}"*' for t in terms))
        )
        .subquery("matched")
    )


def _similar(terms: list[str]) -> Any:
    """PostgreSQL only: documents close to the folded query by trigrams (a typo)."""
    docs = table("search_documents", column("product_id", Integer), column("document"))
    phrase = " ".join(terms)
    similarity = func.word_similarity(phrase, docs.c.document)
    return (
        select(docs.c.product_id.label("product_id"), (-similarity).label("rank"))
        .where(similarity >= TRIGRAM_THRESHOLD)
        .subquery("similar")
    )


# ---------------------------------------------------------------- the query


@dataclass
class SearchQuery:
    q: str = ""
    category: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # spec code → value
    min_price: int | None = None
    max_price: int | None = None
    sort: str = "relevance"
    page: int = 1

    def key(self) -> tuple[Any, ...]:
        return (
            " ".join(words(self.q)),
            self.category,
            tuple(sorted(self.filters.items())),
            self.min_price,
            self.max_price,
            self.sort,
            self.page,
        )


@dataclass
class Facet:
    code: str
    label: str
    values: list[tuple[str, str, int]]  # (value, shown, count)


@dataclass
class SearchResult:
    product_ids: list[int]
    total: int
    page: int
    pages: int
    facets: list[Facet]
    categories: list[tuple[str, str, int]]  # (slug, name, count)
    typo_fallback: bool = False


def _live() -> Any:
    return and_(Product.deleted_at.is_(None), Product.is_active.is_(True))


def _spec_filter(definition: AttributeDefinition, value: str) -> Any:
    values = select(ProductAttributeValue.product_id).where(
        ProductAttributeValue.definition_id == definition.id
    )
    if definition.type in ("int", "money"):
        try:
            number = int(value)
        except ValueError:
            return literal_column("1 = 0")
        if abs(number) >= 2**63:  # beyond BIGINT: nothing can hold it
            return literal_column("1 = 0")
        values = values.where(ProductAttributeValue.value_int == number)
    else:
        values = values.where(ProductAttributeValue.value_text == value)
    return Product.id.in_(values)


def _category_filter(slug: str) -> Any:
    return Product.id.in_(
        select(product_categories.c.product_id)
        .join(Category, Category.id == product_categories.c.category_id)
        .where(Category.slug == slug)
    )


def _base(
    query: SearchQuery,
    matched: Any,
    definitions: dict[str, AttributeDefinition],
    *,
    skip: str | None = None,
) -> Select[Any]:
    """Live products matching the text and every filter except ``skip`` (a facet's own)."""
    stmt = select(Product.id).where(_live())
    if matched is not None:
        stmt = stmt.where(Product.id.in_(select(matched.c.product_id)))
    if query.category and skip != "category":
        stmt = stmt.where(_category_filter(query.category))
    for code, value in query.filters.items():
        if code != skip and code in definitions:
            stmt = stmt.where(_spec_filter(definitions[code], value))
    if query.min_price is not None:
        stmt = stmt.where(Product.price >= query.min_price)
    if query.max_price is not None:
        stmt = stmt.where(Product.price <= query.max_price)
    return stmt


async def run(db: AsyncSession, query: SearchQuery) -> SearchResult:
    """Matching product ids for one page, the total, and facet counts (uncached)."""
    terms = words(query.q)
    definitions = {
        d.code: d
        for d in await db.scalars(
            select(AttributeDefinition).where(AttributeDefinition.code.in_(specs.FACETS))
        )
    }
    matched = _match(db, terms) if terms else None
    typo = False
    if matched is not None and _is_pg(db):
        found = await db.scalar(
            select(func.count()).select_from(_base(query, matched, definitions).subquery())
        )
        if not found:
            matched, typo = _similar(terms), True
    ids_stmt = _base(query, matched, definitions)
    total = int(await db.scalar(select(func.count()).select_from(ids_stmt.subquery())) or 0)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, query.page), pages, MAX_PAGE)
    ordered = select(Product.id).where(Product.id.in_(ids_stmt))
    if query.sort == "price_asc":
        ordered = ordered.order_by(Product.price, Product.id)
    elif query.sort == "price_desc":
        ordered = ordered.order_by(Product.price.desc(), Product.id)
    elif query.sort == "newest":
        ordered = ordered.order_by(Product.created_at.desc(), Product.id.desc())
    elif query.sort == "name":
        ordered = ordered.order_by(Product.name, Product.id)
    elif matched is not None:
        ordered = ordered.join(matched, matched.c.product_id == Product.id).order_by(
            matched.c.rank, Product.id
        )
    else:
        ordered = ordered.order_by(Product.is_featured.desc(), Product.id)
    ordered = ordered.limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    product_ids = list(await db.scalars(ordered))

    facets: list[Facet] = []
    for code in specs.FACETS:
        definition = definitions.get(code)
        if definition is None:
            continue
        scope = _base(query, matched, definitions, skip=code)
        value_column = (
            ProductAttributeValue.value_int
            if definition.type in ("int", "money")
            else ProductAttributeValue.value_text
        )
        rows = await db.execute(
            select(value_column, func.count())
            .where(
                ProductAttributeValue.definition_id == definition.id,
                ProductAttributeValue.product_id.in_(scope),
            )
            .group_by(value_column)
            .order_by(func.count().desc(), value_column)
        )
        facets.append(
            Facet(
                code,
                # English source words: the result is cached for every language, and the
                # page and the API translate them.
                specs.BY_CODE[code].label,
                [
                    (str(v), specs.display(code, v, translated=False), int(n))
                    for v, n in rows
                    if v is not None
                ],
            )
        )
    scope = _base(query, matched, definitions, skip="category")
    category_rows = await db.execute(
        select(Category.slug, Category.name, func.count())
        .join(product_categories, product_categories.c.category_id == Category.id)
        .where(product_categories.c.product_id.in_(scope))
        .group_by(Category.id, Category.slug, Category.name, Category.sort_order)
        .order_by(Category.sort_order, Category.name)
    )
    return SearchResult(
        product_ids=product_ids,
        total=total,
        page=page,
        pages=pages,
        facets=facets,
        categories=[(s, n, int(c)) for s, n, c in category_rows],
        typo_fallback=typo,
    )


# ---------------------------------------------------------------- the cache


class ResultCache:
    """Search results of one store in this process, least recently used dropped first,
    valid while the storefront version (mercato.platform.storefront_version) is unchanged:
    any product, price, stock or specification change empties it."""

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], SearchResult] = OrderedDict()
        self.version: Any = None
        self.hits = 0

    def get(self, version: Any, key: tuple[Any, ...]) -> SearchResult | None:
        if version != self.version:
            self.entries.clear()
            self.version = version
            return None
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        return found

    def put(self, version: Any, key: tuple[Any, ...], result: SearchResult) -> None:
        if version != self.version:
            self.entries.clear()
            self.version = version
        self.entries[key] = result
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


_caches: dict[str, ResultCache] = {}


async def search(db: AsyncSession, runtime: Any, query: SearchQuery) -> SearchResult:
    """``run`` behind the per-store result cache (off when the store's page cache or the
    facet cache is off, as in tests that never commit)."""
    cache_of_pages = getattr(runtime, "page_cache", None)
    if cache_of_pages is None or not runtime.settings.facet_cache:
        return await run(db, query)
    await cache_of_pages.refresh_version()
    version = cache_of_pages.version()
    cache = _caches.setdefault(runtime.slug, ResultCache())
    found = cache.get(version, query.key())
    if found is not None:
        return found
    result = await run(db, query)
    cache.put(version, query.key(), result)
    return result


async def cards(db: AsyncSession, product_ids: list[int]) -> list[Any]:
    """ProductCards (product, category, stock, primary image) in the given order: 3 queries."""
    from sqlalchemy.orm import selectinload

    from mercato.catalog.schemas import ProductCard

    if not product_ids:
        return []
    products = {
        p.id: p
        for p in await db.scalars(
            select(Product)
            .where(Product.id.in_(product_ids))
            .options(selectinload(Product.category), selectinload(Product.inventory))
        )
    }
    images = await catalog_repo.primary_images(db, product_ids)
    return [
        ProductCard(products[i], products[i].category, products[i].inventory, images.get(i))
        for i in product_ids
        if i in products
    ]
