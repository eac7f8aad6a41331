"""Address book pages and API: a customer manages their own addresses and nobody else's."""

from __future__ import annotations

from sqlalchemy import select
from tests.customers.factories import STORE, api_token, signin_as
from tests.helpers import csrf_from

from mercato.customers import service
from mercato.customers.schemas import AddressIn
from mercato.models import Address

BASE = f"/{STORE}/account/addresses"
FORM = {
    "kind": "shipping",
    "first_name": "Clara",
    "last_name": "Whitfield",
    "line1": "1 Rose Lane",
    "city": "Bath",
    "postal_code": "BA1 1AA",
    "country": "GB",
}


async def test_add_edit_default_delete_through_the_pages(client, db, make_user):
    user = await make_user("clara@example.com")
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, BASE + "/new")
    response = await client.post(BASE + "/new", data={**FORM, "csrf_token": token})
    assert response.status_code == 303
    second = await client.post(
        BASE + "/new", data={**FORM, "line1": "2 Oak Row", "is_default": "on", "csrf_token": token}
    )
    assert second.status_code == 303
    rows = await service.list_addresses(db, user.id)
    assert [a.line1 for a in rows if a.is_default] == ["2 Oak Row"]
    page = await client.get(BASE)
    assert "1 Rose Lane" in page.text and "2 Oak Row" in page.text
    first = next(a for a in rows if a.line1 == "1 Rose Lane")
    edit = await client.post(
        f"{BASE}/{first.id}/edit", data={**FORM, "city": "Wells", "csrf_token": token}
    )
    assert edit.status_code == 303
    made = await client.post(f"{BASE}/{first.id}/default", data={"csrf_token": token})
    assert made.status_code == 303
    deleted = await client.post(f"{BASE}/{first.id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    row = await db.get(Address, first.id, populate_existing=True)
    assert row.city == "Wells" and row.deleted_at is not None
    left = await service.list_addresses(db, user.id)
    assert [(a.line1, a.is_default) for a in left] == [("2 Oak Row", True)]


async def test_invalid_form_is_shown_again_with_messages(client, db, make_user):
    user = await make_user("clara@example.com")
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, BASE + "/new")
    response = await client.post(
        BASE + "/new", data={**FORM, "city": "", "country": "France", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "Please fill this in." in response.text and 'value="1 Rose Lane"' in response.text
    assert await service.list_addresses(db, user.id) == []


async def test_missing_csrf_is_refused(client, db, make_user):
    user = await make_user("clara@example.com")
    await signin_as(client, "clara@example.com")
    response = await client.post(BASE + "/new", data=FORM)
    assert response.status_code == 403
    assert await service.list_addresses(db, user.id) == []


async def test_another_customers_address_is_404_in_pages(client, db, make_user):
    owner = await make_user("owner@example.com")
    await make_user("intruder@example.com")
    theirs = await service.create_address(
        db, owner.id, AddressIn(**{k: v for k, v in FORM.items() if k != "kind"})
    )
    await signin_as(client, "intruder@example.com")
    token = await csrf_from(client, BASE)
    assert (await client.get(f"{BASE}/{theirs.id}/edit")).status_code == 404
    for action in ("edit", "delete", "default"):
        response = await client.post(
            f"{BASE}/{theirs.id}/{action}", data={**FORM, "city": "Evil", "csrf_token": token}
        )
        assert response.status_code == 404, action
    row = await db.get(Address, theirs.id, populate_existing=True)
    assert row.city == "Bath" and row.deleted_at is None and row.is_default


async def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = await client.get(BASE)
    assert response.status_code == 303 and "/account/signin" in response.headers["location"]


async def test_account_landing_links_every_account_page(client, make_user):
    await make_user("clara@example.com")
    await signin_as(client, "clara@example.com")
    home = await client.get(f"/{STORE}/account")
    assert home.status_code == 303 and home.headers["location"].endswith("/account/overview")
    page = await client.get(f"/{STORE}/account/overview")
    for link in ("account/profile", "account/addresses", "account/orders", "account/wishlist"):
        assert f"/{STORE}/{link}" in page.text


async def test_api_crud_and_the_other_customers_attack(client, db, make_user):
    await make_user("clara@example.com")
    await make_user("intruder@example.com")
    mine = await api_token(client, "clara@example.com")
    theirs = await api_token(client, "intruder@example.com")
    api = f"/{STORE}/api/v1/addresses"
    body = {k: v for k, v in FORM.items()}
    created = await client.post(api, json=body, headers=mine)
    assert created.status_code == 201, created.text
    address = created.json()
    assert address["is_default"] and address["country"] == "GB"
    listed = await client.get(api, headers=mine)
    assert [a["id"] for a in listed.json()] == [address["id"]]
    # The other customer: every verb on that id is 404 and their list is empty.
    url = f"{api}/{address['id']}"
    assert (await client.get(url, headers=theirs)).status_code == 404
    assert (await client.put(url, json={**body, "city": "X"}, headers=theirs)).status_code == 404
    assert (await client.post(url + "/default", headers=theirs)).status_code == 404
    assert (await client.delete(url, headers=theirs)).status_code == 404
    assert (await client.get(api, headers=theirs)).json() == []
    # The owner edits and deletes.
    updated = await client.put(url, json={**body, "city": "Wells"}, headers=mine)
    assert updated.status_code == 200 and updated.json()["city"] == "Wells"
    bad = await client.post(api, json={**body, "first_name": ""}, headers=mine)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "first_name"
    assert (await client.delete(url, headers=mine)).status_code == 204
    assert (await client.get(url, headers=mine)).status_code == 404
    row = await db.scalar(
        select(Address).where(Address.id == address["id"]).execution_options(populate_existing=True)
    )
    assert row.deleted_at is not None


async def test_api_needs_a_token(client):
    assert (await client.get(f"/{STORE}/api/v1/addresses")).status_code == 401
