"""Full-text product search: SQLite FTS5 or PostgreSQL tsvector (DESIGN.md §7).

The index is built by the migration ``2026-11-22_product_search``: on SQLite an
external-content FTS5 table ``products_fts`` kept in step by triggers; on PostgreSQL a
weighted ``tsvector`` stored in the generated column ``search_document`` with a GIN index
(``2026-11-30_search_document``: ranking reads the stored vector instead of rebuilding
it). This module turns what a shopper typed into a safe query for either engine and gives
back a subquery of ``(product id, rank)``.

Shopper input is never passed to MATCH or to_tsquery as syntax: it is cut into words
(letters and digits only), each word becomes a quoted prefix term, and the terms are ANDed.
So ``"``, ``NEAR(``, ``AND``, ``*`` or ``:`` are plain text, and a query made only of
punctuation is no search at all rather than an error.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    Subquery,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession

# The weighted document PostgreSQL stores in ``products.search_document`` (a generated
# column with a GIN index, migration ``2026-11-30_search_document``; a test compares them).
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(latin_name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(scent_notes::text, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(short_description, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'D')"
)
# bm25 weights per FTS5 column: name, latin name, short description, description, notes.
FTS_WEIGHTS = (10.0, 8.0, 3.0, 1.0, 5.0)
MAX_TERMS = 8
MAX_QUERY_CHARS = 200
_WORD = re.compile(r"[^\W_]+")


def terms(raw: str | None) -> list[str]:
    """The words of a query: letters and digits, accents folded, lower-case, at most 8."""
    if not raw:
        return []
    folded = unicodedata.normalize("NFKD", raw[:MAX_QUERY_CHARS])
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    seen: list[str] = []
    for word in _WORD.findall(folded):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def fts5_query(words: list[str]) -> str:
    """``"lav"* "floral"*``: quoted prefix terms, implicitly ANDed. Words hold no quotes."""
    return " ".join(f'"{w}"*' for w in words)


def tsquery(words: list[str]) -> str:
    """``lav:* & floral:*`` for to_tsquery; words are letters and digits only."""
    return " & ".join(f"{w}:*" for w in words)


def matches(db: AsyncSession, raw: str | None, *, ranked: bool = True) -> Subquery | None:
    """A subquery with columns ``product_id`` and ``rank`` (lower is better) for products
    matching ``raw``, or None when ``raw`` holds no words (then there is nothing to search).
    ``ranked=False`` leaves the rank out: a count needs none, and ranking is the costly part
    (bm25 or ts_rank_cd for each row it is asked for)."""
    words = terms(raw)
    if not words:
        return None
    if db.get_bind().dialect.name == "postgresql":
        query = func.to_tsquery(literal_column("'english'::regconfig"), tsquery(words))
        products = table("products", column("id", Integer), column("search_document"))
        document = products.c.search_document
        # ts_rank_cd grows with relevance; negate it so both engines sort ascending.
        rank = (-func.ts_rank_cd(document, query)).label("rank")
        stmt = (
            select(products.c.id.label("product_id"), *([rank] if ranked else []))
            .select_from(products)
            .where(document.bool_op("@@")(query))
        )
        return stmt.subquery("search")
    fts = table("products_fts", column("rowid", Integer))
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rank = literal_column(f"bm25(products_fts, {weights})", Float).label("rank")
    stmt = (
        select(fts.c.rowid.label("product_id"), *([rank] if ranked else []))
        .select_from(fts)
        .where(literal_column("products_fts").op("MATCH")(fts5_query(words)))
    )
    return stmt.subquery("search")


def ranks_while_matching(db: AsyncSession) -> bool:
    """Whether ``matches`` must give the rank: FTS5's bm25 only works inside the MATCH scan,
    while PostgreSQL ranks chosen ids afterwards from the stored vector (``ranked``), so the
    candidates it sorts by id stay narrow rows."""
    return db.get_bind().dialect.name != "postgresql"


def ranked(db: AsyncSession, raw: str | None, candidates: Any) -> Select[Any]:
    """``(id, rank)`` for each row of ``candidates`` (a CTE with an ``id`` column, and a
    ``rank`` column when ``ranks_while_matching``)."""
    if ranks_while_matching(db):
        return select(candidates.c.id, candidates.c.rank)
    query = func.to_tsquery(literal_column("'english'::regconfig"), tsquery(terms(raw)))
    documents = table("products", column("id", Integer), column("search_document")).alias(
        "ranked_document"
    )
    rank = -func.ts_rank_cd(documents.c.search_document, query)
    return select(candidates.c.id, rank.label("rank")).join(
        documents, documents.c.id == candidates.c.id
    )
