"""The wholesale product page and API: tiers, the tier rule, the calculator and the next-tier
prompt for verified buyers; nothing of it for anyone else; requests for quotation from ask to
an order line at the quoted price, with the refusals tried."""

from __future__ import annotations

from mercato.cart import service as cart_service
from tests.helpers import csrf_in
from tests.wholesale.conftest import ROOT, signin, token


async def _page_path(client, product) -> str:
    # The catalogue's product URL segment is the catalogue's own ("essences" or another);
    # find it from the product API rather than guessing.
    for segment in ("essences", "products", "catalogue"):
        response = await client.get(f"{ROOT}/{segment}/{product.slug}")
        if response.status_code == 200:
            return f"{ROOT}/{segment}/{product.slug}"
    raise AssertionError("no product page found")


async def test_verified_buyer_sees_tiers_rule_calculator_and_next_tier(
    client, make_buyer, make_product
):
    await make_buyer("seer@example.com")
    product = await make_product(name="Cotton Lungi")
    await signin(client, "seer@example.com")
    url = await _page_path(client, product)
    page = await client.get(url)
    assert page.status_code == 200
    html = page.text
    assert "MOQ 10 units" in html
    assert "Volume tiers" in html and "50–199 units" in html and "200+ units" in html
    assert "applies to every unit of the line" in html and "100 units pay ৳135.00 each" in html
    assert "volume-calculator.js" in html and "<script>" not in html
    # Without a quantity the calculator answers for the minimum order, prompt included
    assert "Add 40 more to pay ৳135.00/unit and save ৳500.00." in html
    # The calculator without JavaScript: ?qty=40 answers with the seed's prompt
    calc = await client.get(url, params={"qty": "40"})
    assert "Add 10 more to pay ৳135.00/unit and save ৳500.00." in calc.text
    # the add form starts at the MOQ
    assert 'min="10"' in html and 'value="10"' in html


async def test_unverified_buyer_and_visitor_see_no_tiers(client, make_buyer, make_product):
    await make_buyer("waiting@example.com", status="pending")
    product = await make_product(name="Jute Sack")
    url = await _page_path(client, product)
    for who in ("visitor", "pending"):
        if who == "pending":
            await signin(client, "waiting@example.com")
        html = (await client.get(url, params={"qty": "40"})).text
        assert "MOQ 10 units" in html  # the MOQ is not a price
        assert "Volume tiers" not in html and "৳135" not in html and "Add 10 more" not in html


async def test_terms_api_for_verified_buyers_only(client, make_buyer, make_product):
    await make_buyer("api@example.com")
    await make_buyer("apipending@example.com", status="pending")
    product = await make_product(name="Mustard Oil")
    url = f"{ROOT}/api/v1/products/{product.slug}/terms"
    assert (await client.get(url)).status_code == 401
    refused = await client.get(url, headers=await token(client, "apipending@example.com"))
    assert refused.status_code == 403 and "135" not in refused.text
    listed = await client.get(
        f"{ROOT}/api/v1/wholesale/products",
        headers=await token(client, "apipending@example.com"),
    )
    assert listed.status_code == 403
    ok = await client.get(
        url, params={"quantity": 40}, headers=await token(client, "api@example.com")
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert [t["unit_price"] for t in body["tiers"]] == [14500, 13500, 12000]
    assert body["moq"] == 10 and body["quote_from"] == 200
    assert body["calculation"]["next_tier"] == {
        "add_quantity": 10, "target_quantity": 50, "unit_price": 13500, "saving": 50000,
    }  # fmt: skip
    everything = await client.get(
        f"{ROOT}/api/v1/wholesale/products", headers=await token(client, "api@example.com")
    )
    assert everything.status_code == 200
    assert product.id in [item["product_id"] for item in everything.json()["items"]]


async def test_quote_from_request_to_cart_at_the_quoted_price(
    client, wdb, wholesale, make_buyer, make_user, make_product
):
    # Given a verified buyer, another buyer and an admin
    buyer = await make_buyer("rfq@example.com")
    await make_buyer("other@example.com")
    await make_user("boss@example.com", "admin")
    product = await make_product(name="Steel Pot")
    headers = await token(client, "rfq@example.com")
    # Below the top tier the tiers answer: refused
    low = await client.post(
        f"{ROOT}/api/v1/quotes",
        json={"product_slug": product.slug, "quantity": 150},
        headers=headers,
    )
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "quantity"
    asked = await client.post(
        f"{ROOT}/api/v1/quotes",
        json={"product_slug": product.slug, "quantity": 1000, "message": "Monthly."},
        headers=headers,
    )
    assert asked.status_code == 201, asked.text
    number = asked.json()["number"]
    assert asked.json()["list_unit_price"] == 12000
    # Another buyer can neither answer nor accept it; it does not exist for them
    other = await token(client, "other@example.com")
    for action, body in (("answer", {"unit_price": 1, "valid_days": 7}), ("accept", None)):
        refused = await client.post(
            f"{ROOT}/api/v1/quotes/{number}/{action}", json=body, headers=other
        )
        assert refused.status_code == 404, (action, refused.text)
    # The admin answers ৳110 for 14 days; the buyer accepts
    admin = await token(client, "boss@example.com")
    answered = await client.post(
        f"{ROOT}/api/v1/quotes/{number}/answer",
        json={"unit_price": 11000, "valid_days": 14, "note": "Delivered in two lots."},
        headers=admin,
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    accepted = await client.post(f"{ROOT}/api/v1/quotes/{number}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    # Then the cart holds 1000 units at ৳110 each
    cart = await cart_service.find_cart(wdb, user_id=buyer.id)
    view = await cart_service.view(wdb, cart, runtime=wholesale)
    (line,) = view.lines
    assert (line.quantity, line.unit_price, line.problem) == (1000, 11000, "")
    assert number in line.note
    # and accepting twice is a conflict
    again = await client.post(f"{ROOT}/api/v1/quotes/{number}/accept", headers=headers)
    assert again.status_code == 409


async def test_quote_pages_need_a_verified_buyer_and_csrf(client, make_buyer, make_product):
    await make_buyer("form@example.com")
    product = await make_product(name="Tea Chest")
    anonymous = await client.get(f"{ROOT}/wholesale/quotes/new", params={"product": product.slug})
    assert anonymous.status_code == 303
    await signin(client, "form@example.com")
    form = await client.get(f"{ROOT}/wholesale/quotes/new", params={"product": product.slug})
    assert form.status_code == 200 and "Request a quote" in form.text
    no_csrf = await client.post(
        f"{ROOT}/wholesale/quotes", data={"product": product.slug, "quantity": "500"}
    )
    assert no_csrf.status_code in (400, 403)
    sent = await client.post(
        f"{ROOT}/wholesale/quotes",
        data={"csrf_token": csrf_in(form.text), "product": product.slug, "quantity": "500"},
    )
    assert sent.status_code == 303
    listing = await client.get(f"{ROOT}/wholesale/quotes")
    assert "RFQ-" in listing.text and "awaiting answer" in listing.text
