"""Quotes: a seller answers only quotes of their own products; an accepted quote prices one
order and is then closed by the order.placed handler; an expired answer cannot be accepted;
unverified buyers cannot ask."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from mercato.cart import service as cart_service
from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.kit.errors import Conflict
from mercato.kit.time import utcnow
from mercato.models.b2b import ProductSeller, Seller
from mercato.models.commerce import ShippingRate, ShippingZone
from mercato.wholesale import events
from mercato.wholesale import quotes as quote_service
from mercato.wholesale import service as wholesale_service
from tests.wholesale.conftest import ROOT, token

ADDRESS = {"first_name": "T", "last_name": "H", "line1": "Road 5", "city": "Dhaka", "country": "BD"}


async def _ask(wdb, wholesale, buyer, product, quantity=500):
    terms, _ = await wholesale_service.terms_for(wdb, product)
    return await quote_service.request_quote(
        wdb, user=buyer, company_id=None, product=product, terms=terms, quantity=quantity,
        currency="BDT",
    )  # fmt: skip


async def test_a_seller_answers_only_their_own_products(
    client, wdb, wholesale, make_buyer, make_user, make_product
):
    buyer = await make_buyer("q1@x.com")
    seller_user = await make_user("loom@x.com", "seller")
    seller = Seller(user_id=seller_user.id, display_name="Loom House")
    wdb.add(seller)
    await wdb.flush()
    mine = await make_product(name="Gamcha Towel")
    theirs = await make_product(name="Clay Pot")
    wdb.add(ProductSeller(product_id=mine.id, seller_id=seller.id))
    await wdb.flush()
    own = await _ask(wdb, wholesale, buyer, mine)
    other = await _ask(wdb, wholesale, buyer, theirs)
    headers = await token(client, "loom@x.com")
    listed = await client.get(f"{ROOT}/api/v1/quotes", headers=headers)
    assert [q["number"] for q in listed.json()] == [own.number]
    body = {"unit_price": 11500, "valid_days": 7}
    ok = await client.post(f"{ROOT}/api/v1/quotes/{own.number}/answer", json=body, headers=headers)
    assert ok.status_code == 200, ok.text
    refused = await client.post(
        f"{ROOT}/api/v1/quotes/{other.number}/answer", json=body, headers=headers
    )
    assert refused.status_code == 404


async def test_an_accepted_quote_prices_one_order_then_closes(
    wdb, wholesale, make_buyer, make_user, make_product
):
    buyer = await make_buyer("q2@x.com")
    staff = await make_user("desk@x.com", "admin")
    product = await make_product(name="Soap Carton", stock=2000)
    zone = ShippingZone(name="BD quotes", countries=["BD"])
    wdb.add(zone)
    await wdb.flush()
    rate = ShippingRate(zone_id=zone.id, name="Van", amount=0)
    wdb.add(rate)
    await wdb.flush()
    quote = await _ask(wdb, wholesale, buyer, product, 600)
    await quote_service.answer(wdb, quote, unit_price=10000, valid_days=5, actor_id=staff.id)
    await quote_service.accept(wdb, quote)
    cart, _ = await cart_service.open_cart(wdb, user_id=buyer.id)
    await cart_service.add_item(wdb, cart, product.id, 600, runtime=wholesale)
    placed = await checkout_service.place_order(
        wdb, wholesale, cart, CheckoutDetails("", ADDRESS, rate.id), user=buyer
    )
    assert placed.order.subtotal == 600 * 10000
    event = SimpleNamespace(payload={"order_id": placed.order.id})
    await events.close_ordered_quotes(SimpleNamespace(db=wdb), event)
    await events.close_ordered_quotes(SimpleNamespace(db=wdb), event)  # redelivery: harmless
    await wdb.refresh(quote)
    assert (quote.status, quote.order_id) == ("ordered", placed.order.id)
    # The same quantity again pays the tier price: the quote priced one order
    await cart_service.add_item(wdb, cart, product.id, 600, runtime=wholesale)
    (line,) = (await cart_service.view(wdb, cart, runtime=wholesale)).lines
    assert line.unit_price == 12000


async def test_expired_answers_cannot_be_accepted(
    wdb, wholesale, make_buyer, make_user, make_product
):
    buyer = await make_buyer("q3@x.com")
    staff = await make_user("desk3@x.com", "admin")
    product = await make_product()
    quote = await _ask(wdb, wholesale, buyer, product)
    await quote_service.answer(
        wdb, quote, unit_price=9000, valid_days=1, actor_id=staff.id,
        now=utcnow() - timedelta(days=2),
    )  # fmt: skip
    try:
        await quote_service.accept(wdb, quote)
    except Conflict as exc:
        assert "expired" in exc.message
    else:
        raise AssertionError("an expired quote was accepted")


async def test_unverified_buyers_cannot_ask(client, make_buyer, make_product):
    await make_buyer("q4@x.com", status="rejected")
    product = await make_product()
    refused = await client.post(
        f"{ROOT}/api/v1/quotes",
        json={"product_slug": product.slug, "quantity": 500},
        headers=await token(client, "q4@x.com"),
    )
    assert refused.status_code == 403
    assert (await client.post(f"{ROOT}/api/v1/quotes", json={})).status_code in (401, 422)
