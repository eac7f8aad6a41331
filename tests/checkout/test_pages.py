"""The checkout pages as a guest: every step with forms, errors in the form, the payment
redirect; and the API: quote, place, Idempotency-Key, out of stock."""

from __future__ import annotations

from sqlalchemy import select

from mercato.inventory import repository as inventory_repo
from mercato.models.orders import Order
from tests.cart.support import STORE, add, make_product
from tests.checkout.support import ADDRESS, make_pricing
from tests.helpers import csrf_in

API = f"{STORE}/api/v1"


async def _post(client, path, data, expect=303):
    page = await client.get(f"{STORE}/checkout/{path}")
    assert page.status_code == 200, (path, page.status_code, page.text[:500])
    response = await client.post(
        f"{STORE}/checkout/{path}", data={"csrf_token": csrf_in(page.text), **data}
    )
    assert response.status_code == expect, (path, response.status_code, response.text[:2000])
    return response


async def test_guest_checkout_to_the_payment_redirect(client, db):
    rates = await make_pricing(db)
    product = await make_product(db, name="Calabrian Bergamot", stock=5, price=4500)
    await add(client, product.id, 2)
    start = await client.get(f"{STORE}/checkout")
    assert start.headers["location"].endswith("/checkout/address")
    # Address with an error first: shown in the form, values kept
    bad = await _post(client, "address", {**ADDRESS, "email": "nope@x", "city": "NYC"}, 422)
    assert "Enter a valid email address." in bad.text and 'value="NYC"' in bad.text
    await _post(client, "address", {**ADDRESS, "email": "clara@example.test"})
    shipping = await client.get(f"{STORE}/checkout/shipping")
    assert "Signed courier" in shipping.text and "Express" in shipping.text
    await _post(client, "shipping", {"rate_id": str(rates["express"])})
    gift = await _post(client, "gift", {"gift_message": "x" * 501}, 422)
    assert "at most 500 characters" in gift.text
    sunday = await _post(client, "gift", {"delivery_date": "2020-01-05"}, 422)
    assert "earliest delivery date" in sunday.text
    await _post(client, "gift", {"gift_wrap": "yes", "gift_message": "Happy birthday"})
    review = await client.get(f"{STORE}/checkout/review")
    assert "Sales tax (NY)" in review.text and "Happy birthday" in review.text
    paid = await client.post(
        f"{STORE}/checkout/place", data={"csrf_token": csrf_in(review.text), "provider": "sandbox"}
    )
    assert paid.status_code == 303, paid.text[:2000]
    order = await db.scalar(select(Order).where(Order.email == "clara@example.test"))
    assert order is not None and order.gift_wrap and order.total > order.subtotal
    assert order.number in paid.headers["location"] or "sandbox" in paid.headers["location"]
    stock = await inventory_repo.get_inventory(db, product.id)
    assert stock.reserved == 2
    assert (await client.get(f"{STORE}/cart")).text.count("Calabrian Bergamot") == 0


async def test_checkout_without_a_cart_goes_back_to_the_cart(client):
    response = await client.get(f"{STORE}/checkout/review")
    assert response.status_code == 303 and response.headers["location"].endswith("/cart")


async def _api_cart(client, product_id, quantity=1):
    token = (await client.post(f"{API}/carts")).json()["token"]
    headers = {"X-Cart-Token": token}
    added = await client.post(
        f"{API}/cart/items", json={"product_id": product_id, "quantity": quantity},
        headers=headers,
    )  # fmt: skip
    assert added.status_code == 200, added.text
    return headers


async def test_api_quote_and_place_with_idempotency(client, db):
    rates = await make_pricing(db)
    product = await make_product(db, name="Damask Rose", stock=5, price=12000)
    headers = await _api_cart(client, product.id)
    quote = await client.post(
        f"{API}/checkout/quote",
        json={"country": "FR", "shipping_rate_id": rates["eu"], "currency": "EUR"},
        headers=headers,
    )
    assert quote.status_code == 200, quote.text
    b = quote.json()["breakdown"]
    assert b["currency"] == "EUR" and b["tax_inclusive"] and b["subtotal"] == 11040
    assert b["total"] == b["subtotal"] + b["shipping"]
    body = {
        "email": "guest@example.test",
        "address": {**ADDRESS, "country": "FR", "region": ""},
        "shipping_rate_id": rates["eu"],
        "currency": "EUR",
    }
    first = await client.post(
        f"{API}/checkout", json=body, headers={**headers, "Idempotency-Key": "abc"}
    )
    assert first.status_code == 201, first.text
    again = await client.post(
        f"{API}/checkout", json=body, headers={**headers, "Idempotency-Key": "abc"}
    )
    assert again.status_code == 201 and again.json()["number"] == first.json()["number"]
    assert again.json()["replayed"] and first.json()["payment_url"]
    count = await db.scalar(select(Order.id).where(Order.email == "guest@example.test"))
    assert count is not None


async def test_api_out_of_stock_names_the_product(client, db):
    rates = await make_pricing(db)
    product = await make_product(db, name="Last Oud", stock=1)
    headers = await _api_cart(client, product.id)
    stock = await inventory_repo.get_inventory(db, product.id)
    stock.reserved = 1
    await db.flush()
    response = await client.post(
        f"{API}/checkout",
        json={"email": "g@example.test", "address": ADDRESS, "shipping_rate_id": rates["signed"]},
        headers=headers,
    )
    assert response.status_code == 409 and "Last Oud" in response.json()["detail"]
    bad = await client.post(
        f"{API}/checkout",
        json={"email": "g@example.test", "address": {**ADDRESS, "country": "usa"},
              "shipping_rate_id": rates["signed"]},
        headers=headers,
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "address.country"
