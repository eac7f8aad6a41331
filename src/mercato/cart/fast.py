"""The cart API's hot path: add, remove and read a cart in SQLAlchemy Core.

Add to cart is the busiest write of a shop (issue 3 asks for 1,000 per second). Through the
ORM it cost eight statements and most of its CPU in building selects, loading objects and
the unit of work. Here every statement is built once, at import (so each call is a
compiled-cache hit), runs on the request's connection and returns plain rows:

- add: one SELECT reads the cart, the product, its stock and the line already in the cart;
  an upsert (``INSERT … ON CONFLICT DO UPDATE``) adds the units; an UPDATE keeps the cart
  alive; one SELECT reads the lines for the answer (4 statements; 2 on PostgreSQL, where
  one statement makes the UPDATE, the upsert and the lines' SELECT);
- remove: the cart's id, the UPDATE, a DELETE, the lines (4; 3 on PostgreSQL).

The rules are the service's (quantity bounds, sellable product, per-line limit, stock, the
per-customer limit, the same messages and codes): mercato.cart.service owns them and this
module only supplies the facts. Stores whose modules adjust or check cart lines
(``CartRules``: wholesale tiers, promotions) need the ORM objects those hooks take, so
``applies`` sends them the ORM way.

On SQLite run inline (mercato.kit.inline_sqlite) the same statements, compiled once to SQL
text, run straight on the request's sqlite3 connection, inside the transaction SQLAlchemy
began: SQLAlchemy's execution machinery cost about 0.1 ms per statement, several times
SQLite's own work, and on SQLite this work is done holding the database's only write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, delete, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.cart import repository as repo
from mercato.cart import service as cart_service
from mercato.db import insert_for
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.i18n import _
from mercato.kit.inline_sqlite import InlineConnection
from mercato.kit.security import hash_token
from mercato.kit.time import utcnow
from mercato.models.base import UTCDateTime
from mercato.models.catalog import Product
from mercato.models.commerce import Cart, CartItem
from mercato.models.inventory import Inventory

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

carts, items = Cart.__table__, CartItem.__table__
products, stock = Product.__table__, Inventory.__table__

_LIVE_GUEST_CART = and_(
    carts.c.token_hash == bindparam("token_hash"),
    carts.c.user_id.is_(None),
    or_(
        carts.c.expires_at.is_(None),
        carts.c.expires_at > bindparam("now", type_=carts.c.expires_at.type),
    ),
)
_CUSTOMER_CART = carts.c.user_id == bindparam("user_id")


def _state(where: Any) -> Any:
    """The cart, the product asked for, its stock and the cart's line of it: one row, with
    NULL product columns when no such product exists, none when the cart does not."""
    return (
        select(
            carts.c.id.label("cart_id"),
            products.c.id.label("product_id"),
            products.c.name,
            products.c.is_active,
            products.c.deleted_at,
            products.c.max_per_customer,
            stock.c.quantity.label("stock"),
            stock.c.reserved,
            items.c.quantity.label("in_cart"),
        )
        .select_from(
            carts.outerjoin(products, products.c.id == bindparam("product_id"))
            .outerjoin(stock, stock.c.product_id == products.c.id)
            .outerjoin(
                items, and_(items.c.cart_id == carts.c.id, items.c.product_id == products.c.id)
            )
        )
        .where(where)
    )


STATE_BY_TOKEN = _state(_LIVE_GUEST_CART)
STATE_BY_USER = _state(_CUSTOMER_CART)
CART_ID_BY_TOKEN = select(carts.c.id).where(_LIVE_GUEST_CART)
CART_ID_BY_USER = select(carts.c.id).where(_CUSTOMER_CART)


def _upsert(insert: Any, source: Any = None) -> Any:
    columns = {
        "cart_id": bindparam("cid"),
        "product_id": bindparam("pid"),
        "quantity": bindparam("units"),
        "added_at": bindparam("ts"),
        "updated_at": bindparam("ts"),
    }
    if source is None:
        stmt = insert(items).values(**columns)
    else:  # the cart's id comes from the statement that touched the cart
        binds = list(columns.items())[1:]
        row = [source.c.id, *(bindparam(p.key, type_=items.c[k].type) for k, p in binds)]
        stmt = insert(items).from_select(list(columns), select(*row))
    # Units are added to what the row holds at write time, so two concurrent adds on
    # PostgreSQL both count (the checks before it read the row a moment earlier).
    return stmt.on_conflict_do_update(
        index_elements=[items.c.cart_id, items.c.product_id],
        set_={"quantity": items.c.quantity + stmt.excluded.quantity, "updated_at": bindparam("ts")},
    )


UPSERT = {dialect: _upsert(insert_for(dialect)) for dialect in ("sqlite", "postgresql")}
# A touch keeps the cart alive: a guest's cart also gets a new expiry. By Owner.kind.
TOUCH = {
    "guest": update(carts)
    .where(carts.c.id == bindparam("cid"))
    .values(updated_at=bindparam("ts"), expires_at=bindparam("expires")),
    "customer": update(carts)
    .where(carts.c.id == bindparam("cid"))
    .values(updated_at=bindparam("ts")),
}
REMOVE = delete(items).where(
    items.c.cart_id == bindparam("cid"), items.c.product_id == bindparam("pid")
)


# On PostgreSQL the cart is touched and its line changed by one statement (fewer round trips,
# and no transaction needed around them: mercato.cart.fast._Asyncpg); the line's part reads
# the UPDATE's RETURNING, so the cart row is still locked first.
def _touch_and_remove(touch: Any, owner: str) -> Any:
    touched = touch.returning(carts.c.id).cte(f"touched_{owner}")
    return (
        delete(items)
        .where(items.c.cart_id == touched.c.id, items.c.product_id == bindparam("pid"))
        .add_cte(touched)
    )


TOUCH_AND_REMOVE = {kind: _touch_and_remove(touch, kind) for kind, touch in TOUCH.items()}


def _lines(rows: Any) -> Any:
    """The columns the answer reads of each line, over ``rows`` (id, product_id, quantity)."""
    return (
        select(
            rows.c.product_id,
            rows.c.quantity,
            products.c.sku,
            products.c.name,
            products.c.slug,
            products.c.price,
            products.c.is_active,
            products.c.deleted_at,
            stock.c.quantity.label("stock"),
            stock.c.reserved,
        )
        .select_from(
            rows.join(products, products.c.id == rows.c.product_id).outerjoin(
                stock, stock.c.product_id == products.c.id
            )
        )
        .order_by(rows.c.id)
    )


LINES = _lines(items).where(items.c.cart_id == bindparam("cid"))


def _add_and_read(touch: Any, owner: str) -> Any:
    """PostgreSQL: touch the cart, add the units and read the cart's lines, in one statement.
    Its SELECT sees the tables as they were before the statement, so the lines are the cart's
    other lines plus the row the upsert returned."""
    touched = touch.returning(carts.c.id).cte(f"touched_{owner}")
    written = (
        _upsert(insert_for("postgresql"), touched)
        .returning(items.c.id, items.c.product_id, items.c.quantity)
        .cte(f"written_{owner}")
    )
    others = select(items.c.id, items.c.product_id, items.c.quantity).where(
        items.c.cart_id == bindparam("cid"), items.c.product_id != bindparam("pid")
    )
    current = union_all(others, select(written.c.id, written.c.product_id, written.c.quantity))
    return _lines(current.subquery("cart_lines"))


ADD_AND_READ = {kind: _add_and_read(touch, kind) for kind, touch in TOUCH.items()}


class _Core:
    """Runs this module's statements through SQLAlchemy on the request's connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    async def rows(self, statement: Any, params: dict[str, Any]) -> list[Any]:
        return list(await self.conn.execute(statement, params))

    async def run(self, statement: Any, params: dict[str, Any]) -> int:
        return (await self.conn.execute(statement, params)).rowcount


class _Compiled:
    """Runs the prebuilt statements on the driver's connection under SQLAlchemy's, as SQL text
    compiled once per statement and dialect with its positional parameter order. Datetimes
    are bound through UTCDateTime's processor, as SQLAlchemy binds them, so stored values and
    comparisons are those of the Core path; rows are read by position, as Core rows."""

    dialect: str
    _compiled: dict[tuple[str, int], tuple[str, tuple[str, ...]]] = {}
    _stamps: dict[str, Any] = {}

    def __init__(self, conn: Any) -> None:
        self._dialect = conn.dialect
        stamp = self._stamps.get(self.dialect)
        if stamp is None:
            stamp = self._stamps[self.dialect] = UTCDateTime().bind_processor(conn.dialect)
        self._stamp = stamp

    def _args(self, statement: Any, params: dict[str, Any]) -> tuple[str, list[Any]]:
        key = (self.dialect, id(statement))
        found = self._compiled.get(key)
        if found is None:
            compiled = statement.compile(dialect=self._dialect)
            found = self._compiled[key] = (compiled.string, tuple(compiled.positiontup))
        sql, names = found
        stamp = self._stamp
        return sql, [
            stamp(value) if isinstance(value, datetime) else value
            for value in (params[name] for name in names)
        ]


class _Inline(_Compiled):
    """On inline SQLite: the sqlite3 connection, in the transaction SQLAlchemy began."""

    dialect = "sqlite"

    def __init__(self, conn: Any, sqlite: Any) -> None:
        super().__init__(conn)
        self.sqlite = sqlite

    async def rows(self, statement: Any, params: dict[str, Any]) -> list[Any]:
        return self.sqlite.execute(*self._args(statement, params)).fetchall()

    async def run(self, statement: Any, params: dict[str, Any]) -> int:
        return self.sqlite.execute(*self._args(statement, params)).rowcount


class _Asyncpg(_Compiled):
    """On PostgreSQL: the asyncpg connection, which prepares each statement once per
    connection. SQLAlchemy's execution (its cursor adapter, a greenlet switch and result
    processing per statement) cost as much client CPU as asyncpg's own protocol work.

    No transaction is begun here. When SQLAlchemy's adapter holds one (the request wrote
    through the ORM first; a test's outer transaction), the statements run in it. Otherwise
    each is its own transaction: every write of this module is a single statement (on
    PostgreSQL the cart's touch and its line's change are one), so it is all or nothing by
    itself, and BEGIN and COMMIT were two of an add's five round trips (docs/decisions.md).
    """

    dialect = "postgresql"

    def __init__(self, conn: Any, driver: Any) -> None:
        super().__init__(conn)
        self._pg = driver

    async def rows(self, statement: Any, params: dict[str, Any]) -> list[Any]:
        sql, args = self._args(statement, params)
        return await self._pg.fetch(sql, *args)

    async def run(self, statement: Any, params: dict[str, Any]) -> int:
        sql, args = self._args(statement, params)
        status = await self._pg.execute(sql, *args)  # "UPDATE 1", "INSERT 0 1", "DELETE 0"
        return int(status.rpartition(" ")[2] or 0)


async def _runner(db: AsyncSession) -> _Core | _Inline | _Asyncpg:
    conn = await db.connection()
    if conn.dialect.name == "sqlite":
        driver = (await conn.get_raw_connection()).driver_connection
        if isinstance(driver, InlineConnection):
            return _Inline(conn, driver._conn)
    elif conn.dialect.driver == "asyncpg":
        return _Asyncpg(conn, (await conn.get_raw_connection()).driver_connection)
    return _Core(conn)


def applies(runtime: StoreRuntime) -> bool:
    """No module of this store adjusts or checks cart lines."""
    return not cart_service.rules_of(runtime)


@dataclass(frozen=True)
class Owner:
    user_id: int | None
    token: str | None

    @property
    def kind(self) -> str:
        """ "guest" or "customer": which touch keeps the cart alive."""
        return "guest" if self.user_id is None else "customer"

    def params(self, now: datetime) -> dict[str, Any]:
        if self.user_id is not None:
            return {"user_id": self.user_id}
        return {"token_hash": hash_token(self.token or ""), "now": now}


@dataclass(frozen=True)
class ProductFacts:
    """What the service's refusal messages read of a product (its name and limit)."""

    id: int
    name: str
    max_per_customer: int | None


@dataclass(frozen=True)
class Line:
    product_id: int
    sku: str
    name: str
    slug: str
    quantity: int
    unit_price: int
    available: int
    problem: str


def _touch_params(cart_id: int, owner: Owner, now: datetime) -> dict[str, Any]:
    """The parameters of TOUCH[owner.kind]: a guest's cart lives CART_DAYS more."""
    params: dict[str, Any] = {"cid": cart_id, "ts": now}
    if owner.kind == "guest":
        params["expires"] = now + timedelta(days=cart_service.CART_DAYS)
    return params


@dataclass(frozen=True)
class Added:
    cart: int
    # The cart's lines after the add when the write read them back (PostgreSQL), else None.
    lines: list[Line] | None = None


async def add_item(
    db: AsyncSession, owner: Owner, product_id: int, quantity: int, *, limit: int
) -> Added | None:
    """``cart_service.add_item`` for a store without CartRules. Returns the cart (and on
    PostgreSQL its lines), or None when the owner has no cart yet (the caller opens one the
    ORM way)."""
    quantity = cart_service._check_quantity(quantity, "quantity", limit)
    run = await _runner(db)
    now = utcnow()
    query = STATE_BY_USER if owner.user_id is not None else STATE_BY_TOKEN
    found = await run.rows(query, {**owner.params(now), "product_id": product_id})
    if not found:
        return None
    # The columns of _state, in order.
    cart, product, name, is_active, deleted_at, max_per_customer, stock_, reserved, in_cart = found[
        0
    ]
    if product is None:
        raise NotFound(_("This product is not sold here."), field="product_id")
    if not is_active or deleted_at is not None:
        raise ValidationFailed(
            _("%(product)s is no longer available.", product=name), field="product_id"
        )
    total = quantity + (in_cart or 0)
    if total > limit:
        raise ValidationFailed(
            _("At most %(limit)s of one product.", limit=f"{limit:,}"), field="quantity"
        )
    available = (stock_ - reserved) if stock_ is not None else 0
    bought = 0
    if max_per_customer is not None and owner.user_id is not None:
        bought = await repo.units_bought(db, product_id, user_id=owner.user_id)
    cap, reason = cart_service.cap_for(available, max_per_customer, bought)
    if total > cap:
        facts = ProductFacts(product, name, max_per_customer)
        raise cart_service._refusal(facts, total, cap, reason, "quantity")  # type: ignore[arg-type]
    # The cart row first, then its line: the order the ORM's flush takes them in (parent
    # before child), so an add racing a quantity change of the same cart on PostgreSQL waits
    # instead of deadlocking (each held one row and wanted the other's: a 500 under load).
    line = {"cid": cart, "pid": product_id, "units": quantity, "ts": now}
    touch = _touch_params(cart, owner, now)
    if run.dialect == "postgresql":
        rows = await run.rows(ADD_AND_READ[owner.kind], {**touch, **line})
        return Added(cart, [_line(row) for row in rows])
    await run.run(TOUCH[owner.kind], touch)
    await run.run(UPSERT[run.dialect], line)
    return Added(cart)


async def cart_id(db: AsyncSession, owner: Owner) -> int | None:
    run = await _runner(db)
    query = CART_ID_BY_USER if owner.user_id is not None else CART_ID_BY_TOKEN
    found = await run.rows(query, owner.params(utcnow()))
    return found[0][0] if found else None


async def remove_item(db: AsyncSession, owner: Owner, cart: int, product_id: int) -> bool:
    run = await _runner(db)
    touch = _touch_params(cart, owner, utcnow())
    if run.dialect == "postgresql":
        return bool(await run.run(TOUCH_AND_REMOVE[owner.kind], {**touch, "pid": product_id}))
    await run.run(TOUCH[owner.kind], touch)  # cart before line, as in add_item
    return bool(await run.run(REMOVE, {"cid": cart, "pid": product_id}))


async def lines(db: AsyncSession, cart: int | None) -> list[Line]:
    """The cart's lines, oldest first, with what is wrong with each (the service's words)."""
    if cart is None:
        return []
    run = await _runner(db)
    return [_line(row) for row in await run.rows(LINES, {"cid": cart})]


def _line(row: Any) -> Line:
    # The columns of _lines, in order.
    product, quantity, sku, name, slug, price, is_active, deleted_at, stock_, reserved = row
    available = (stock_ - reserved) if stock_ is not None else 0
    live = bool(is_active) and deleted_at is None
    problem = cart_service.line_problem(name, live, available, quantity)
    return Line(product, sku, name, slug, quantity, price, available, problem)
