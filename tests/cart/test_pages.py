"""The cart pages: forms without JavaScript, JSON for the drawer, stock and limits,
isolation between carts, CSRF and the header count's query budget."""

from __future__ import annotations

from sqlalchemy import event, select

from mercato.models.commerce import Cart
from tests.cart.support import STORE, add, make_product, page_csrf


async def test_add_to_cart_without_javascript_sets_a_hashed_cookie(client, db):
    # Given an essence in stock
    product = await make_product(db, name="Calabrian Bergamot", stock=5)
    # When a guest posts the add-to-cart form
    response = await add(client, product.id, 2)
    # Then they are redirected to the cart, with an HttpOnly cart cookie scoped to the store
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "mercato_cart=" in cookie and "HttpOnly" in cookie and f"Path={STORE}" in cookie
    token = client.cookies.get("mercato_cart")
    # And the database keeps only the token's hash
    carts = list(await db.scalars(select(Cart)))
    assert all(c.token_hash != token for c in carts)
    page = await client.get(f"{STORE}/cart")
    assert "Calabrian Bergamot" in page.text
    assert (
        "data-cart-count>2<" in page.text.replace(" ", "").replace("\n", "")
        or ">2</span>" in page.text
    )


async def test_add_answers_json_for_the_drawer(client, db):
    product = await make_product(db, name="Damask Rose", stock=5)
    response = await add(client, product.id, 1, json=True)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and "Damask Rose" in data["drawer"] and data["ok"]


async def test_stock_is_checked_with_a_clear_message(client, db):
    product = await make_product(db, name="Calabrian Bergamot", stock=3)
    response = await add(client, product.id, 5, json=True)
    assert response.status_code == 409
    assert response.json()["message"] == "Only 3 left of Calabrian Bergamot."
    assert response.json()["errors"][0]["field"] == "quantity"
    # Without JS, the message comes back as a flash on a redirect
    response = await add(client, product.id, 5)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Only 3 left of Calabrian Bergamot." in page.text


async def test_inactive_products_are_refused(client, db):
    product = await make_product(db, name="Retired Oud", active=False)
    response = await add(client, product.id, 1, json=True)
    assert response.status_code == 422
    assert "no longer available" in response.json()["message"]
    missing = await add(client, 999_999_999, 1, json=True)
    assert missing.status_code == 404


async def test_update_and_remove(client, db):
    product = await make_product(db, name="Vetiver", stock=10)
    await add(client, product.id, 1)
    token = await page_csrf(client)
    updated = await client.post(
        f"{STORE}/cart/items/{product.id}",
        data={"csrf_token": token, "quantity": "4"},
        headers={"accept": "application/json"},
    )
    assert updated.json()["count"] == 4
    too_many = await client.post(
        f"{STORE}/cart/items/{product.id}",
        data={"csrf_token": token, "quantity": "11"},
        headers={"accept": "application/json"},
    )
    assert too_many.status_code == 409 and "Only 10 left of Vetiver." in too_many.json()["message"]
    removed = await client.post(
        f"{STORE}/cart/items/{product.id}/remove",
        data={"csrf_token": token},
        headers={"accept": "application/json"},
    )
    assert removed.json()["count"] == 0


async def test_cart_forms_refuse_a_missing_or_forged_csrf_token(client, db):
    product = await make_product(db)
    await client.get(f"{STORE}/cart")  # the CSRF cookie
    for data in ({}, {"csrf_token": "forged"}):
        response = await client.post(
            f"{STORE}/cart/items",
            data={**data, "product_id": str(product.id), "quantity": "1"},
            headers={"accept": "application/json"},
        )
        assert response.status_code == 403
    assert client.cookies.get("mercato_cart") is None


async def test_another_cart_cookie_cannot_see_or_change_this_cart(app, client, db):
    import httpx

    product = await make_product(db, name="Secret Neroli")
    await add(client, product.id, 2)
    # A second browser with a made-up cart cookie sees an empty cart and cannot edit ours
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        other.cookies.set("mercato_cart", "guessed-token", path=f"{STORE}/")
        page = await other.get(f"{STORE}/cart")
        assert "Secret Neroli" not in page.text
        token = await page_csrf(other)
        response = await other.post(
            f"{STORE}/cart/items/{product.id}",
            data={"csrf_token": token, "quantity": "1"},
            headers={"accept": "application/json"},
        )
        assert response.status_code == 404
    page = await client.get(f"{STORE}/cart")
    assert 'value="2"' in page.text


def _count_queries(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    return statements, lambda: event.remove(engine.sync_engine, "before_cursor_execute", before)


async def test_cart_page_query_count_does_not_grow_with_lines(client, db, runtime):
    products = [await make_product(db) for _ in range(6)]
    await add(client, products[0].id)
    statements, stop = _count_queries(runtime.db.engine)
    try:
        await client.get(f"{STORE}/cart")
        one = len(statements)
        for p in products[1:]:
            await add(client, p.id)
        statements.clear()
        await client.get(f"{STORE}/cart")
        six = len(statements)
    finally:
        stop()
    assert six == one
    # Ours: the header count, the cart, its lines with stock, their images
    ours = [q for q in statements if q.startswith("SELECT") and ("cart" in q or "product" in q)]
    assert len(ours) == 4


async def test_a_new_visitor_costs_no_cart_query(client, runtime):
    statements, stop = _count_queries(runtime.db.engine)
    try:
        await client.get(f"{STORE}/cart")
    finally:
        stop()
    assert not [s for s in statements if "cart" in s.lower()]
