"""The cart API: guest carts by X-Cart-Token, errors with field paths, isolation."""

from __future__ import annotations

from tests.cart.support import STORE, make_product

API = f"{STORE}/api/v1"


async def test_guest_cart_flow(client, db):
    product = await make_product(db, name="Calabrian Bergamot", stock=3, price=4500)
    created = await client.post(f"{API}/carts")
    assert created.status_code == 201
    token = created.json()["token"]
    headers = {"X-Cart-Token": token}
    added = await client.post(
        f"{API}/cart/items", json={"product_id": product.id, "quantity": 2}, headers=headers
    )
    assert added.status_code == 200, added.text
    assert added.json()["count"] == 2 and added.json()["subtotal"] == 9000
    too_many = await client.patch(
        f"{API}/cart/items/{product.id}", json={"quantity": 4}, headers=headers
    )
    assert too_many.status_code == 409
    assert too_many.json()["errors"][0] == {
        "field": "quantity",
        "message": "Only 3 left of Calabrian Bergamot.",
        "code": "out_of_stock",
    }
    bad = await client.post(f"{API}/cart/items", json={"product_id": "x"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "product_id"
    in_eur = await client.get(f"{API}/cart", params={"currency": "EUR"}, headers=headers)
    assert in_eur.status_code == 200
    removed = await client.delete(f"{API}/cart/items/{product.id}", headers=headers)
    assert removed.json()["count"] == 0


async def test_a_token_reaches_only_its_own_cart(client, db):
    product = await make_product(db, name="Private Jasmine")
    mine = (await client.post(f"{API}/carts")).json()["token"]
    await client.post(
        f"{API}/cart/items", json={"product_id": product.id}, headers={"X-Cart-Token": mine}
    )
    for token in ("not-a-token", (await client.post(f"{API}/carts")).json()["token"]):
        seen = await client.get(f"{API}/cart", headers={"X-Cart-Token": token})
        assert "Private Jasmine" not in seen.text
        changed = await client.delete(
            f"{API}/cart/items/{product.id}", headers={"X-Cart-Token": token}
        )
        assert changed.status_code == 404
    assert (await client.get(f"{API}/cart", headers={"X-Cart-Token": mine})).json()["count"] == 1
    assert (await client.get(f"{API}/cart")).status_code == 401


async def test_cart_api_is_in_openapi(client):
    spec = (await client.get(f"{STORE}/api/openapi.json")).json()
    assert "/api/v1/cart/items" in spec["paths"] and "/api/v1/carts" in spec["paths"]


async def test_an_adds_answer_is_the_cart_as_a_fresh_read_shows_it(client, db):
    # On PostgreSQL the add reads the lines back in its own write statement (mercato.cart.fast):
    # its answer must list the same lines, in the same order, as the cart read afterwards.
    products = [await make_product(db, stock=20, price=1000 + n) for n in range(3)]
    headers = {"X-Cart-Token": (await client.post(f"{API}/carts")).json()["token"]}
    for product, quantity in ((products[0], 2), (products[1], 1), (products[2], 4)):
        await client.post(
            f"{API}/cart/items",
            json={"product_id": product.id, "quantity": quantity},
            headers=headers,
        )
    # Adding more of the middle line keeps its place; the others are untouched.
    added = await client.post(
        f"{API}/cart/items", json={"product_id": products[1].id, "quantity": 3}, headers=headers
    )
    fresh = await client.get(f"{API}/cart", headers=headers)
    assert added.status_code == fresh.status_code == 200
    assert [(i["product_id"], i["quantity"]) for i in added.json()["items"]] == [
        (products[0].id, 2),
        (products[1].id, 4),
        (products[2].id, 4),
    ]
    assert added.json()["items"] == fresh.json()["items"]
    assert added.json()["subtotal"] == fresh.json()["subtotal"] == 2 * 1000 + 4 * 1001 + 4 * 1002
