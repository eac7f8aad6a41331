"""product search: SQLite FTS5 external-content table, PostgreSQL tsvector GIN index

Revision ID: 3f1c0a5e9b21
Revises: 6176e2a2af90
Create Date: 2026-11-22 08:00:00+00:00

Hand-written: autogenerate cannot express FTS5 virtual tables, triggers or expression
indexes. migrations/env.py excludes these objects from autogenerate so later revisions do
not try to drop them. The SQL lives here (not imported from mercato.catalog.search) so this
revision stays what it was when later code changes; a test checks both say the same thing.
"""

from collections.abc import Sequence

from alembic import op

# ruff: noqa: S608 - the SQL below is built from constants of this file, not from input

revision: str = "3f1c0a5e9b21"
down_revision: str | None = "6176e2a2af90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The indexed columns, in the order FTS5 weights them (see mercato.catalog.search).
_COLUMNS = "name, latin_name, short_description, description, scent_notes"
_NEW = ", ".join(f"new.{c.strip()}" for c in _COLUMNS.split(","))
_OLD = ", ".join(f"old.{c.strip()}" for c in _COLUMNS.split(","))

# PostgreSQL: one weighted document; the query must repeat this expression exactly for the
# planner to use the GIN index (mercato.catalog.search.PG_DOCUMENT).
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(latin_name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(scent_notes::text, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(short_description, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'D')"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_products_search ON products USING gin (({PG_DOCUMENT}))")
        return
    # SQLite: an external-content FTS5 table (the text stays in products only), kept in step
    # by triggers. remove_diacritics folds "Arôme"/"Neroli" accents; scent_notes is indexed
    # as its JSON text, whose brackets and quotes the tokenizer drops.
    op.execute(
        f"CREATE VIRTUAL TABLE products_fts USING fts5({_COLUMNS}, "
        "content='products', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN "
        f"INSERT INTO products_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END"
    )
    op.execute(
        f"CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN "
        f"INSERT INTO products_fts(products_fts, rowid, {_COLUMNS}) "
        f"VALUES ('delete', old.id, {_OLD}); END"
    )
    op.execute(
        f"CREATE TRIGGER products_fts_au AFTER UPDATE OF {_COLUMNS} ON products BEGIN "
        f"INSERT INTO products_fts(products_fts, rowid, {_COLUMNS}) "
        f"VALUES ('delete', old.id, {_OLD}); "
        f"INSERT INTO products_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END"
    )
    # Products that existed before this revision.
    op.execute("INSERT INTO products_fts(products_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_products_search")
        return
    for trigger in ("products_fts_ai", "products_fts_ad", "products_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS products_fts")
