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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    Subquery,
    bindparam,
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


def _pg_query(words: list[str]) -> Any:
    """``to_tsquery`` with the query text written into the statement (``literal_execute``)
    rather than sent as a parameter: asyncpg prepares statements, and a generic plan cannot
    estimate how many products the words match (a few hundred or 9,000 want different
    plans). The text is only quoted words (``tsquery``), rendered by the dialect's quoting."""
    text = bindparam("tsquery", tsquery(words), type_=String(), unique=True, literal_execute=True)
    return func.to_tsquery(literal_column("'english'::regconfig"), text)


@dataclass
class Match:
    """How a list query finds the products matching a search.

    SQLite joins ``table`` (FTS5, ``product_id`` and, when ranked, ``rank``); PostgreSQL adds
    ``condition`` on the products row itself (its stored ``search_document``), because a
    subquery over ``products`` joined back to ``products`` is not merged by PostgreSQL 15:
    it hash-joined all 100,000 rows. ``product_id`` orders matches the way the index reads
    them; ``rank`` sorts by relevance, lower first."""

    table: Subquery | None
    condition: ColumnElement[bool] | None
    product_id: ColumnElement[Any]
    rank: ColumnElement[Any] | None


def match(db: AsyncSession, raw: str | None, *, ranked: bool = True) -> Match | None:
    """The match of ``raw``, or None when ``raw`` holds no words (then there is nothing to
    search). ``ranked=False`` leaves the rank out on SQLite: a count needs none, and bm25
    is the costly part."""
    words = terms(raw)
    if not words:
        return None
    if db.get_bind().dialect.name == "postgresql":
        query = _pg_query(words)
        document = literal_column("products.search_document")
        # ts_rank_cd grows with relevance; negate it so both engines sort ascending.
        return Match(
            table=None,
            condition=document.bool_op("@@")(query),
            product_id=literal_column("products.id"),
            rank=-func.ts_rank_cd(document, query),
        )
    fts = table("products_fts", column("rowid", Integer))
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rank = literal_column(f"bm25(products_fts, {weights})", Float).label("rank")
    found = (
        select(fts.c.rowid.label("product_id"), *([rank] if ranked else []))
        .select_from(fts)
        .where(literal_column("products_fts").op("MATCH")(fts5_query(words)))
        .subquery("search")
    )
    return Match(
        table=found,
        condition=None,
        product_id=found.c.product_id,
        rank=found.c.rank if ranked else None,
    )


def matches(db: AsyncSession, raw: str | None) -> Subquery | None:
    """A subquery with columns ``product_id`` and ``rank`` (lower is better) for products
    matching ``raw``, or None when ``raw`` holds no words: for callers that join it to
    their own product query (Qala's brand discovery). The catalogue uses ``match``."""
    found = match(db, raw)
    if found is None or found.table is not None:
        return found.table if found is not None else None
    products = table("products", column("id", Integer), column("search_document"))
    query = _pg_query(terms(raw))
    return (
        select(
            products.c.id.label("product_id"),
            (-func.ts_rank_cd(products.c.search_document, query)).label("rank"),
        )
        .where(products.c.search_document.bool_op("@@")(query))
        .subquery("search")
    )


def ranks_while_matching(db: AsyncSession) -> bool:
    """Whether ``match`` must give the rank: FTS5's bm25 only works inside the MATCH scan,
    while PostgreSQL ranks chosen ids afterwards from the stored vector (``ranked``), so the
    candidates it sorts by id stay narrow rows."""
    return db.get_bind().dialect.name != "postgresql"


def ranked(db: AsyncSession, raw: str | None, candidates: Any) -> Select[Any]:
    """``(id, rank)`` for each row of ``candidates`` (a CTE with an ``id`` column, and a
    ``rank`` column when ``ranks_while_matching``)."""
    if ranks_while_matching(db):
        return select(candidates.c.id, candidates.c.rank)
    query = _pg_query(terms(raw))
    documents = table("products", column("id", Integer), column("search_document")).alias(
        "ranked_document"
    )
    rank = -func.ts_rank_cd(documents.c.search_document, query)
    return select(candidates.c.id, rank.label("rank")).join(
        documents, documents.c.id == candidates.c.id
    )
