"""Inquiries through the JSON API and the pages: the seed's validation (signed in? approved?
product available?), the whole flow, and the attacks: another buyer's or another brand's
inquiry is a 404 on every route."""

from __future__ import annotations

from mercato.inquiries import service as inquiry_service
from mercato.inquiries.service import ItemIn
from tests.helpers import csrf_from
from tests.inquiries.factories import API, ROOT, bearer, signin


async def test_the_api_asks_who_is_calling_and_whether_they_are_approved(
    client, qdb, qala, make_buyer, make_brand, make_product
):
    brand, _ = await make_brand()
    dress = await make_product(brand)
    body = {"lines": [{"product_id": dress.id, "size": "M", "quantity": 10}]}
    # Not signed in: 401
    assert (await client.post(f"{API}/inquiries", json=body)).status_code == 401
    # A boutique waiting for approval: 403 with the reason
    pending = await make_buyer(status="pending")
    refused = await client.post(
        f"{API}/inquiries", json=body, headers=await bearer(qdb, qala, pending)
    )
    assert refused.status_code == 403
    assert "approved" in refused.json()["detail"]


async def test_the_api_names_the_field_that_is_wrong(
    client, qdb, qala, make_buyer, make_brand, make_product
):
    buyer = await make_buyer()
    headers = await bearer(qdb, qala, buyer)
    brand, _ = await make_brand()
    dress = await make_product(brand, sold_out=("L",))
    hidden = await make_product(brand, active=False)
    cases = [
        ({"product_id": dress.id, "size": "XXL", "quantity": 10}, "items.0.size"),
        ({"product_id": dress.id, "size": "L", "quantity": 10}, "items.0.size"),
        ({"product_id": hidden.id, "size": "M", "quantity": 10}, "items.0.product_id"),
        ({"product_id": dress.id, "size": "M", "quantity": 0}, "lines.0.quantity"),
        ({"product_id": 2**70, "size": "M", "quantity": 1}, "lines.0.product_id"),
    ]
    for line, field in cases:
        response = await client.post(f"{API}/inquiries", json={"lines": [line]}, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field


async def test_the_whole_flow_through_the_api_and_nobody_else_can_touch_it(
    client, qdb, qala, make_buyer, make_brand, make_product
):
    # Given a buyer, the brand, another buyer and another brand's user
    buyer = await make_buyer()
    brand, member = await make_brand()
    _, stranger_brand_user = await make_brand("Atelier Nord")
    other_buyer = await make_buyer()
    dress = await make_product(brand)
    me = await bearer(qdb, qala, buyer)
    brand_auth = await bearer(qdb, qala, member)
    strangers = [await bearer(qdb, qala, u) for u in (other_buyer, stranger_brand_user)]
    # When the buyer sends "size M, quantity 10, add longer sleeves"
    line = {
        "product_id": dress.id,
        "size": "M",
        "quantity": 10,
        "customisation": "Add longer sleeves",
    }
    created = await client.post(f"{API}/inquiries", json={"lines": [line]}, headers=me)
    assert created.status_code == 201, created.text
    [inquiry] = created.json()
    number = inquiry["number"]
    assert (
        inquiry["status"] == "pending"
        and inquiry["lines"][0]["customisation"] == line["customisation"]
    )
    # Then strangers can neither read, answer nor decide it (404, as for a missing number)
    for headers in strangers:
        assert (await client.get(f"{API}/inquiries/{number}", headers=headers)).status_code == 404
        for action in ("answer", "accept", "decline", "withdraw"):
            payload = {"lines": [{"line_id": 1, "available": False}]} if action == "answer" else {}
            answer = await client.post(
                f"{API}/inquiries/{number}/{action}", json=payload, headers=headers
            )
            assert answer.status_code == 404, (action, answer.text)
        listed = await client.get(f"{API}/inquiries?as=brand", headers=headers)
        assert number not in {i["number"] for i in listed.json()}
    # And the buyer cannot answer their own inquiry, nor the brand accept it
    line_id = inquiry["lines"][0]["id"]
    quote = {
        "lines": [{"line_id": line_id, "available": True, "unit_price": 9500, "lead_time_days": 45}]
    }
    assert (
        await client.post(f"{API}/inquiries/{number}/answer", json=quote, headers=me)
    ).status_code == 404
    assert (
        await client.post(f"{API}/inquiries/{number}/accept", headers=brand_auth)
    ).status_code == 404
    # When the brand quotes
    listed = await client.get(f"{API}/inquiries?as=brand", headers=brand_auth)
    assert [i["number"] for i in listed.json()] == [number]
    quoted = await client.post(f"{API}/inquiries/{number}/answer", json=quote, headers=brand_auth)
    assert quoted.status_code == 200, quoted.text
    assert quoted.json()["status"] == "quoted" and quoted.json()["total"] == 95000
    # And the buyer accepts
    accepted = await client.post(f"{API}/inquiries/{number}/accept", headers=me)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert [e["kind"] for e in accepted.json()["timeline"]] == ["sent", "quoted", "accepted"]
    # Then declining now is a conflict, and the confirmation PDF exists for both sides
    again = await client.post(f"{API}/inquiries/{number}/decline", headers=me)
    assert again.status_code == 409
    for headers in (me, brand_auth):
        pdf = await client.get(f"{API}/inquiries/{number}/confirmation.pdf", headers=headers)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for headers in strangers:
        pdf = await client.get(f"{API}/inquiries/{number}/confirmation.pdf", headers=headers)
        assert pdf.status_code == 404


async def test_the_openapi_document_describes_the_inquiry_routes(client):
    paths = (await client.get(f"{ROOT}/api/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/inquiries",
        "/api/v1/inquiries/{number}",
        "/api/v1/inquiries/{number}/answer",
        "/api/v1/inquiries/{number}/accept",
        "/api/v1/inquiries/{number}/decline",
        "/api/v1/inquiries/{number}/withdraw",
    ):
        assert path in paths


async def test_the_pages_take_a_buyer_from_the_list_to_an_accepted_inquiry(
    client, app, qdb, qala, make_buyer, make_brand, make_product
):
    # Given an approved buyer signed in
    buyer = await make_buyer("sofia@example.com")
    brand, member = await make_brand()
    dress = await make_product(brand)
    await signin(client, buyer.email)
    # When they add "size M, quantity 10, add longer sleeves" from the add form
    token = await csrf_from(client, f"{ROOT}/inquiry-list/add?product={dress.id}")
    added = await client.post(
        f"{ROOT}/inquiry-list/items",
        data={
            "csrf_token": token,
            "product_id": dress.id,
            "size": "M",
            "quantity": "10",
            "customisation": "Add longer sleeves",
        },
    )
    assert added.status_code == 303
    page = await client.get(f"{ROOT}/inquiry-list")
    assert "Add longer sleeves" in page.text and "Send inquiry" in page.text
    # And send it
    token = await csrf_from(client, f"{ROOT}/inquiry-list")
    sent = await client.post(f"{ROOT}/inquiry-list/send", data={"csrf_token": token})
    assert sent.status_code == 303 and "/inquiries/sent?n=INQ-" in sent.headers["location"]
    confirmation = await client.get(sent.headers["location"])
    assert "Your inquiry was sent" in confirmation.text and brand.name in confirmation.text
    [inquiry] = await inquiry_service.list_for_buyer(qdb, buyer.id)
    # Then the brand user sees it on the dashboard and quotes it with the form
    await client.post(f"{ROOT}/account/signout", data={"csrf_token": token})
    client.cookies.clear()
    await signin(client, member.email)
    dashboard = await client.get(f"{ROOT}/brand/inquiries")
    assert inquiry.number in dashboard.text
    [line] = (await inquiry_service.lines_of(qdb, [inquiry.id]))[inquiry.id]
    token = await csrf_from(client, f"{ROOT}/brand/inquiries/{inquiry.number}")
    bad = await client.post(
        f"{ROOT}/brand/inquiries/{inquiry.number}/quote",
        data={
            "csrf_token": token,
            f"available_{line.id}": "yes",
            f"price_{line.id}": "95.001",
            f"lead_{line.id}": "45",
        },
    )
    assert bad.status_code == 422 and "decimals" in bad.text and 'aria-invalid="true"' in bad.text
    quoted = await client.post(
        f"{ROOT}/brand/inquiries/{inquiry.number}/quote",
        data={
            "csrf_token": token,
            f"available_{line.id}": "yes",
            f"price_{line.id}": "95.00",
            f"lead_{line.id}": "45",
        },
    )
    assert quoted.status_code == 303
    client.cookies.clear()
    # And the buyer accepts it and downloads the confirmation
    await signin(client, buyer.email)
    token = await csrf_from(client, f"{ROOT}/inquiries/{inquiry.number}")
    accepted = await client.post(
        f"{ROOT}/inquiries/{inquiry.number}/accept", data={"csrf_token": token}
    )
    assert accepted.status_code == 303
    detail = await client.get(f"{ROOT}/inquiries/{inquiry.number}")
    assert "Accepted" in detail.text and "Quoted by" in detail.text
    pdf = await client.get(f"{ROOT}/inquiries/{inquiry.number}/confirmation.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_pages_show_no_one_elses_inquiries(
    client, qdb, qala, make_buyer, make_brand, make_product
):
    buyer = await make_buyer()
    brand, _ = await make_brand()
    _, stranger_brand_user = await make_brand("Atelier Nord")
    other_buyer = await make_buyer()
    dress = await make_product(brand)
    [inquiry] = await inquiry_service.create_inquiries(
        qdb, qala, buyer, [ItemIn(dress.id, 10, "M")]
    )
    for user in (other_buyer, stranger_brand_user):
        client.cookies.clear()
        await signin(client, user.email)
        for url in (
            f"{ROOT}/inquiries/{inquiry.number}",
            f"{ROOT}/brand/inquiries/{inquiry.number}",
            f"{ROOT}/inquiries/{inquiry.number}/confirmation.pdf",
        ):
            assert (await client.get(url)).status_code == 404, url
        token = await csrf_from(client, f"{ROOT}/inquiries")
        for url in (
            f"{ROOT}/inquiries/{inquiry.number}/withdraw",
            f"{ROOT}/brand/inquiries/{inquiry.number}/quote",
        ):
            assert (await client.post(url, data={"csrf_token": token})).status_code == 404, url
    # A buyer is not a brand user: the brand dashboard is not theirs
    assert (await client.get(f"{ROOT}/brand/inquiries")).status_code in (200, 404)
    client.cookies.clear()
    await signin(client, other_buyer.email)
    assert (await client.get(f"{ROOT}/brand/inquiries")).status_code == 404


async def test_a_pending_boutique_is_told_in_the_form_why_it_cannot_add(
    client, qdb, make_buyer, make_brand, make_product
):
    pending = await make_buyer(status="pending")
    brand, _ = await make_brand()
    dress = await make_product(brand)
    await signin(client, pending.email)
    token = await csrf_from(client, f"{ROOT}/inquiry-list/add?product={dress.id}")
    refused = await client.post(
        f"{ROOT}/inquiry-list/items",
        data={"csrf_token": token, "product_id": dress.id, "size": "M", "quantity": "10"},
    )
    assert refused.status_code == 403
    assert "not approved" in refused.text and 'name="quantity"' in refused.text


async def test_a_wrong_size_is_shown_beside_the_size_field(
    client, qdb, make_buyer, make_brand, make_product
):
    buyer = await make_buyer()
    brand, _ = await make_brand()
    dress = await make_product(brand)
    await signin(client, buyer.email)
    token = await csrf_from(client, f"{ROOT}/inquiry-list/add?product={dress.id}")
    refused = await client.post(
        f"{ROOT}/inquiry-list/items",
        data={"csrf_token": token, "product_id": dress.id, "size": "XXL", "quantity": "10"},
    )
    assert refused.status_code == 422
    assert 'id="inquiry-size-error"' in refused.text and "S, M, L" in refused.text


async def test_the_product_and_brand_pages_offer_add_to_inquiry_and_message_the_brand(
    client, qdb, make_buyer, make_brand, make_product
):
    buyer = await make_buyer()
    brand, _ = await make_brand()
    dress = await make_product(brand, colours=("Ivory", "Navy"))
    anonymous = await client.get(f"{ROOT}/products/{dress.slug}")
    assert anonymous.status_code == 200 and "Sign in to send an inquiry" in anonymous.text
    await signin(client, buyer.email)
    page = await client.get(f"{ROOT}/products/{dress.slug}")
    assert 'action="/qala/inquiry-list/items"' in page.text
    assert '<option value="M"' in page.text and '<option value="Navy"' in page.text
    assert 'action="/qala/messages/start"' in page.text
    brand_page = await client.get(f"{ROOT}/brands/{brand.slug}")
    assert brand_page.status_code == 200
    assert f'name="brand_id" value="{brand.id}"' in brand_page.text
