"""product search on PostgreSQL: the weighted tsvector stored in a generated column

Revision ID: 5d8e1b7c4a60
Revises: 3f1c0a5e9b21
Create Date: 2026-11-30 16:45:00+00:00

Ranking (ts_rank_cd) needs each match's tsvector. The expression index of
2026-11-22_product_search finds matches but holds no vector to rank, so every ranked row
rebuilt it from five text columns (about 50 µs a row: 1,000 ranked candidates took 50 ms
at 100,000 products). A STORED generated column keeps the vector with the row, PostgreSQL
recomputes it on every write, and the GIN index moves onto it. SQLite is untouched: FTS5
stores what bm25 reads. The expression is copied here, not imported, so this revision stays
what it was; a test checks it against mercato.catalog.search.PG_DOCUMENT.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d8e1b7c4a60"
down_revision: str | None = "3f1c0a5e9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(latin_name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(scent_notes::text, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(short_description, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'D')"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE products ADD COLUMN search_document tsvector "
        f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_products_search")
    # fastupdate off: a catalogue is written rarely and searched often, and with the pending
    # list on, every search scanned up to 4 MB of unmerged entries (bulk imports leave them
    # until autovacuum: 10-40 ms a search at 100,000 products, measured)
    op.execute(
        "CREATE INDEX ix_products_search_document ON products "
        "USING gin (search_document) WITH (fastupdate = off)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_products_search_document")
    op.execute("ALTER TABLE products DROP COLUMN IF EXISTS search_document")
    op.execute(f"CREATE INDEX ix_products_search ON products USING gin (({PG_DOCUMENT}))")
