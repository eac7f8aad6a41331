"""Knowing when what anonymous shoppers see has changed, for the page cache.

Any flush or bulk UPDATE that touches a table the storefront shows marks the session. Before
the commit an outbox event is added (same transaction, DESIGN.md §4); after it, this
process bumps its local counter so its own cached pages go at once. The worker's handler
writes a new value into the store's version row, which other processes and instances read
at most once a second (web/page_cache.py). Listening at the session level means no service
has to remember to invalidate anything.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from mercato.db import STORE_INFO_KEY, insert_for
from mercato.kit.security import new_token
from mercato.kit.time import utcnow
from mercato.models import OutboxEvent, StoreSetting

EVENT_TYPE = "storefront.changed"
VERSION_KEY = "storefront.version"
_FLAG = "mercato_storefront_changed"

# Tables whose rows appear on anonymous storefront pages.
WATCHED_TABLES = frozenset(
    {
        "products",
        "categories",
        "tags",
        "product_tags",
        "product_images",
        "product_attribute_values",
        "attribute_definitions",
        "inventory",
        "testimonials",
        "pages",
        "alchemy_steps",
        "currency_rates",
        "store_settings",
        "reviews",
        "shipping_zones",
        "shipping_rates",
        "tax_rules",
        # Blog, projects, home sections and the services page (blog and bookings modules).
        "blog_posts",
        "blog_categories",
        "projects",
        "site_sections",
        "service_types",
        "service_districts",
        # Catalogue promotions change the prices anonymous pages show (cards, product page).
        "promotions",
        # Qala (brands module): brand, collection, lookbook, press and size-run pages.
        "brands",
        "brand_categories",
        "brand_collections",
        "brand_lookbook_images",
        "brand_press_features",
        "brand_products",
        "product_sizes",
    }
)

_local: defaultdict[str, int] = defaultdict(int)


def local_version(store: str) -> int:
    return _local[store]


def bump_local(store: str) -> None:
    _local[store] += 1


async def read(database: Any) -> str:
    async with database.session(write=False) as db:
        value = await db.scalar(select(StoreSetting.value).where(StoreSetting.key == VERSION_KEY))
    return value if isinstance(value, str) else ""


def _table_of(obj: object) -> str:
    table = getattr(obj, "__table__", None)
    return getattr(table, "name", "")


def _pending_watched(session: Session) -> bool:
    return any(
        _table_of(obj) in WATCHED_TABLES for obj in (*session.new, *session.dirty, *session.deleted)
    )


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if not session.info.get(_FLAG) and _pending_watched(session):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", "") in WATCHED_TABLES:
        state.session.info[_FLAG] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # Runs before commit's own flush: changes still pending count too.
    if not session.info.get(_FLAG) and _pending_watched(session):
        session.info[_FLAG] = True
    if session.info.get(_FLAG) and not session.info.get(_FLAG + "_emitted"):
        session.info[_FLAG + "_emitted"] = True
        session.add(OutboxEvent(event_type=EVENT_TYPE, payload={}))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed = session.info.pop(_FLAG, False)
    session.info.pop(_FLAG + "_emitted", None)
    store = session.info.get(STORE_INFO_KEY)
    if changed and store:
        bump_local(store)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_FLAG, None)
    session.info.pop(_FLAG + "_emitted", None)


async def handle_changed(ctx: Any, _event: OutboxEvent) -> None:
    """Outbox handler: a new version value tells every process its pages are stale."""
    # One upsert, not read-then-insert: two workers writing a store's first version at once
    # both found no row, and the second insert failed on the key (a retried event).
    insert = insert_for((await ctx.db.connection()).dialect.name)
    values = {"key": VERSION_KEY, "value": new_token(8), "updated_at": utcnow()}
    statement = insert(StoreSetting).values(**values)
    await ctx.db.execute(
        statement.on_conflict_do_update(
            index_elements=[StoreSetting.key],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
    )
    # Writing the version row is not itself a storefront change (it would loop).
    ctx.db.sync_session.info.pop(_FLAG, None)
