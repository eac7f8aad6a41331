"""Add to cart is the busiest write (issue 3: 1,000 per second): its SQL statements are
bounded and do not grow with the cart, and the Core path keeps every cart rule."""

from __future__ import annotations

from contextlib import asynccontextmanager

from sqlalchemy import event

from mercato.kit.inline_sqlite import InlineConnection
from tests.cart.support import STORE, make_product
from tests.cart.test_rules import make_user, past_order

API = f"{STORE}/api/v1"
IGNORED = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@asynccontextmanager
async def _recording(runtime, seen: list[str]):
    """Every SQL statement the store's database runs meanwhile. On inline SQLite the cart's
    Core path runs its statements on the sqlite3 connection itself (mercato.cart.fast), so
    SQLite's own trace sees them; elsewhere SQLAlchemy's cursor events do."""
    raw = (await runtime.db.connection.get_raw_connection()).driver_connection
    if isinstance(raw, InlineConnection):
        raw._conn.set_trace_callback(seen.append)
        try:
            yield
        finally:
            raw._conn.set_trace_callback(None)
        return

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    # On asyncpg the cart's Core path runs its statements on the asyncpg connection itself
    # (mercato.cart.fast._Asyncpg): asyncpg's query logger sees those; SQLAlchemy's cursor
    # events see the rest.
    logged = getattr(raw, "add_query_logger", None)
    if logged is not None:
        raw.add_query_logger(_log := lambda record: seen.append(record.query))
    event.listen(runtime.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield
    finally:
        event.remove(runtime.db.engine.sync_engine, "before_cursor_execute", count)
        if logged is not None:
            raw.remove_query_logger(_log)


async def _statements(runtime, call) -> tuple[object, list[str]]:
    seen: list[str] = []
    async with _recording(runtime, seen):
        response = await call()
    return response, [s for s in seen if not s.lstrip().upper().startswith(IGNORED)]


async def _cart(client) -> dict[str, str]:
    return {"X-Cart-Token": (await client.post(f"{API}/carts")).json()["token"]}


async def test_add_and_remove_take_four_statements_whatever_the_cart_holds(client, db, runtime):
    products = [await make_product(db, stock=50, price=1000 + n) for n in range(4)]
    headers = await _cart(client)
    for lines in (0, 3):
        for product in products[1 : 1 + lines]:
            await client.post(f"{API}/cart/items", json={"product_id": product.id}, headers=headers)
        added, used = await _statements(
            runtime,
            lambda: client.post(
                f"{API}/cart/items",
                json={"product_id": products[0].id, "quantity": 2},
                headers=headers,
            ),
        )
        assert added.status_code == 200, added.text
        assert added.json()["count"] == 2 + lines
        # cart+product+stock, keep alive, upsert, lines (the last three are one on PostgreSQL)
        assert len(used) <= (4 if runtime.db.sqlite else 2), used
        removed, used = await _statements(
            runtime,
            lambda: client.delete(f"{API}/cart/items/{products[0].id}", headers=headers),
        )
        assert removed.status_code == 200 and removed.json()["count"] == lines
        assert len(used) <= (4 if runtime.db.sqlite else 3), used


async def test_adding_again_adds_to_the_line_within_stock(client, db):
    product = await make_product(db, stock=3, price=2500, name="Tuscan Iris")
    headers = await _cart(client)
    url = f"{API}/cart/items"
    first = await client.post(url, json={"product_id": product.id}, headers=headers)
    second = await client.post(url, json={"product_id": product.id, "quantity": 2}, headers=headers)
    assert first.status_code == second.status_code == 200
    line = second.json()["items"][0]
    assert (line["quantity"], line["line_total"], line["available"]) == (3, 7500, 3)
    assert second.json()["subtotal_formatted"]
    over = await client.post(url, json={"product_id": product.id}, headers=headers)
    assert over.status_code == 409
    assert over.json()["errors"][0] == {
        "field": "quantity",
        "message": "Only 3 left of Tuscan Iris.",
        "code": "out_of_stock",
    }
    assert (await client.get(f"{API}/cart", headers=headers)).json()["count"] == 3


async def test_the_core_path_refuses_what_the_service_refuses(client, db):
    headers = await _cart(client)
    url = f"{API}/cart/items"
    limited = await make_product(db, stock=10, name="Rare Agarwood", max_per_customer=2)
    refused = await client.post(
        url, json={"product_id": limited.id, "quantity": 3}, headers=headers
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "limit_per_customer"
    retired = await make_product(db, name="Retired Musk", active=False)
    gone = await client.post(url, json={"product_id": retired.id}, headers=headers)
    assert gone.status_code == 422 and gone.json()["errors"][0]["field"] == "product_id"
    unknown = await client.post(url, json={"product_id": 10**9}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "product_id"
    sold_out = await make_product(db, stock=0, name="Empty Vetiver")
    none_left = await client.post(url, json={"product_id": sold_out.id}, headers=headers)
    assert none_left.status_code == 409
    assert none_left.json()["errors"][0]["code"] == "out_of_stock"
    plenty = await make_product(db, stock=500)
    too_many = await client.post(
        url, json={"product_id": plenty.id, "quantity": 100}, headers=headers
    )
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "quantity"
    # Nothing of the refused requests was written.
    assert (await client.get(f"{API}/cart", headers=headers)).json()["count"] == 0


async def test_an_expired_or_unknown_token_reaches_no_cart(client, db):
    product = await make_product(db)
    for token in ("never-issued", ""):
        answer = await client.post(
            f"{API}/cart/items", json={"product_id": product.id}, headers={"X-Cart-Token": token}
        )
        assert answer.status_code in (401, 404)


async def test_a_customer_limit_counts_paid_orders_on_the_core_path(client, db):
    # Given a customer who bought 1 of a limited edition of 2 (a cancelled order does not count)
    user = await make_user(db, "limit-api@example.test")
    product = await make_product(db, name="Orris Butter", stock=20, max_per_customer=2)
    await past_order(db, user, product, 1)
    await past_order(db, user, product, 4, status="cancelled")
    token = await client.post(
        f"{API}/auth/token",
        json={"email": "limit-api@example.test", "password": "Neroli-Morning-Walk-7"},
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    url = f"{API}/cart/items"
    # When they add one (their cart is created), then one more (their cart exists)
    first = await client.post(url, json={"product_id": product.id}, headers=headers)
    second = await client.post(url, json={"product_id": product.id}, headers=headers)
    # Then the first fits and the second is refused with the reason
    assert first.status_code == 200 and first.json()["count"] == 1
    assert second.status_code == 422
    assert second.json()["errors"][0]["code"] == "limit_per_customer"
    assert "limited to 2 units per customer" in second.json()["errors"][0]["message"]
    other = await make_product(db, name="Ambrette Seed", stock=5)
    third = await client.post(url, json={"product_id": other.id}, headers=headers)
    assert third.status_code == 200 and third.json()["count"] == 2


async def test_on_sqlite_the_add_commits_before_it_builds_the_answer(
    client, db, runtime, monkeypatch
):
    """The database's single write lock is let go once the line is written and the answer's
    lines are read (UnitOfWork.commit_writes), not after the answer is built and sent; and
    that takes no second transaction."""
    from mercato.cart import api

    product = await make_product(db, stock=50, price=1000)
    headers = await _cart(client)
    statements: list[str] = []

    def answer(*args):
        statements.append("ANSWER")
        return build(*args)

    build = api.fast_answer
    monkeypatch.setattr(api, "fast_answer", answer)
    async with _recording(runtime, statements):
        added = await client.post(
            f"{API}/cart/items", json={"product_id": product.id}, headers=headers
        )
    seen = [statement.lstrip().split(None, 1)[0].upper() for statement in statements]
    assert added.status_code == 200, added.text
    assert added.json()["count"] == 1
    queries = [word for word in seen if word in ("SELECT", "INSERT", "UPDATE", "WITH")]
    # On PostgreSQL one statement touches the cart, writes the line and reads the lines.
    written = ["UPDATE", "INSERT", "SELECT"] if runtime.db.sqlite else ["WITH"]
    assert queries == ["SELECT", *written], seen
    # Tests join one outer transaction, so the request's commit releases a savepoint.
    assert seen.count("SAVEPOINT") == seen.count("RELEASE") == 1, seen  # no second transaction
    if runtime.db.sqlite:
        assert seen.index("RELEASE") < seen.index("ANSWER"), seen
    else:  # one transaction, committed as the answer starts
        assert seen.index("ANSWER") < seen.index("RELEASE"), seen


async def test_on_sqlite_a_quantity_change_commits_before_it_builds_the_answer(
    client, db, runtime, monkeypatch
):
    """The PATCH that sets a line's quantity lets SQLite's write lock go before its answer
    is built too (every 25th request of bench/add_to_cart.lua)."""
    from mercato.cart import api

    product = await make_product(db, stock=50, price=1000)
    headers = await _cart(client)
    url = f"{API}/cart/items"
    await client.post(url, json={"product_id": product.id, "quantity": 3}, headers=headers)
    statements: list[str] = []

    async def answer(*args, **kwargs):
        statements.append("ANSWER")
        return await build(*args, **kwargs)

    build = api.cart_out
    monkeypatch.setattr(api, "cart_out", answer)
    async with _recording(runtime, statements):
        changed = await client.patch(f"{url}/{product.id}", json={"quantity": 1}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["count"] == 1
    seen = [statement.lstrip().split(None, 1)[0].upper() for statement in statements]
    if runtime.db.sqlite:
        assert seen.index("RELEASE") < seen.index("ANSWER"), seen
    else:
        assert seen.index("ANSWER") < seen.index("RELEASE"), seen
