"""Wishlist: a customer's own list, by forms and API; the flag switches it off."""

from __future__ import annotations

from sqlalchemy import select

from mercato.customers import features
from mercato.models import WishlistItem
from mercato.wishlist import service
from tests.customers.factories import STORE, api_token, signin_as
from tests.helpers import csrf_from

ROOT = f"/{STORE}"


async def test_add_and_remove_with_forms_no_javascript(client, db, make_user, make_product):
    user = await make_user("clara@example.com")
    rose = await make_product("Rose Otto", stock=30)
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/wishlist")
    added = await client.post(
        f"{ROOT}/wishlist/{rose.id}",
        data={"csrf_token": token, "next": f"{ROOT}/essences/{rose.slug}"},
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"{ROOT}/essences/{rose.slug}"
    again = await client.post(f"{ROOT}/wishlist/{rose.id}", data={"csrf_token": token})
    assert again.status_code == 303  # idempotent: still one row
    assert await service.count(db, user.id) == 1
    page = await client.get(f"{ROOT}/account/wishlist")
    assert "Rose Otto" in page.text and "In stock" in page.text
    assert 'action="/atelier-arome/cart/items"' in page.text  # move to cart
    assert "data-wishlist-count" in page.text  # header link with its count
    removed = await client.post(f"{ROOT}/wishlist/{rose.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    assert await service.count(db, user.id) == 0


async def test_open_redirect_in_next_is_ignored(client, make_user, make_product):
    await make_user("clara@example.com")
    rose = await make_product()
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/wishlist")
    response = await client.post(
        f"{ROOT}/wishlist/{rose.id}", data={"csrf_token": token, "next": "https://evil.test/"}
    )
    assert response.headers["location"] == f"{ROOT}/account/wishlist"


async def test_json_toggle_for_the_es_module(client, make_user, make_product):
    await make_user("clara@example.com")
    rose = await make_product()
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/wishlist")
    response = await client.post(
        f"{ROOT}/wishlist/{rose.id}",
        data={"csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True and response.json()["count"] == 1


async def test_missing_csrf_and_signed_out_are_refused(client, db, make_user, make_product):
    user = await make_user("clara@example.com")
    rose = await make_product()
    anonymous = await client.post(f"{ROOT}/wishlist/{rose.id}", data={})
    assert anonymous.status_code in (303, 403)
    await signin_as(client, "clara@example.com")
    forged = await client.post(f"{ROOT}/wishlist/{rose.id}", data={})
    assert forged.status_code == 403
    assert await service.count(db, user.id) == 0


async def test_unknown_or_deleted_product_is_404(client, make_user, make_product):
    await make_user("clara@example.com")
    gone = await make_product(is_active=False)
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/wishlist")
    assert (
        await client.post(f"{ROOT}/wishlist/{gone.id}", data={"csrf_token": token})
    ).status_code == 404
    assert (
        await client.post(f"{ROOT}/wishlist/999999", data={"csrf_token": token})
    ).status_code == 404


async def test_api_lists_adds_by_slug_and_deletes(client, db, make_user, make_product):
    await make_user("clara@example.com")
    rose = await make_product("Rose Otto", price=4800)
    neroli = await make_product("Neroli", stock=0)
    headers = await api_token(client, "clara@example.com")
    api = f"{ROOT}/api/v1/wishlist"
    assert (await client.post(api, json={"slug": rose.slug}, headers=headers)).status_code == 201
    listing = await client.post(api, json={"product_id": neroli.id}, headers=headers)
    body = listing.json()
    assert body["count"] == 2
    by_id = {i["product_id"]: i for i in body["items"]}
    assert by_id[rose.id]["price"] == 4800 and by_id[neroli.id]["available"] == 0
    assert (await client.post(api, json={}, headers=headers)).status_code == 422
    assert (await client.delete(f"{api}/{rose.id}", headers=headers)).status_code == 204
    assert [i["product_id"] for i in (await client.get(api, headers=headers)).json()["items"]] == [
        neroli.id
    ]


async def test_another_customers_wishlist_is_never_read_or_changed(
    client, db, make_user, make_product
):
    owner = await make_user("owner@example.com")
    await make_user("intruder@example.com")
    rose = await make_product()
    await service.add(db, owner.id, rose.id)
    headers = await api_token(client, "intruder@example.com")
    api = f"{ROOT}/api/v1/wishlist"
    assert (await client.get(api, headers=headers)).json() == {"items": [], "count": 0}
    assert (await client.delete(f"{api}/{rose.id}", headers=headers)).status_code == 204
    await signin_as(client, "intruder@example.com")
    page = await client.get(f"{ROOT}/account/wishlist")
    assert "is empty" in page.text
    token = await csrf_from(client, f"{ROOT}/account/wishlist")
    await client.post(f"{ROOT}/wishlist/{rose.id}/remove", data={"csrf_token": token})
    # The owner's row is still there; the intruder's "remove" touched only their own list.
    rows = list(await db.scalars(select(WishlistItem).where(WishlistItem.product_id == rose.id)))
    assert [r.user_id for r in rows] == [owner.id]


async def test_flag_off_means_404_everywhere(client, db, make_user, make_product):
    await make_user("clara@example.com")
    rose = await make_product()
    await features.set_enabled(db, "wishlist", False)
    headers = await api_token(client, "clara@example.com")
    assert (await client.get(f"{ROOT}/api/v1/wishlist", headers=headers)).status_code == 404
    await signin_as(client, "clara@example.com")
    assert (await client.get(f"{ROOT}/account/wishlist")).status_code == 404
    profile = await client.get(f"{ROOT}/account/profile")
    assert "data-wishlist-count" not in profile.text
    token = await csrf_from(client, f"{ROOT}/account/profile")
    assert (
        await client.post(f"{ROOT}/wishlist/{rose.id}", data={"csrf_token": token})
    ).status_code == 404


async def test_list_is_three_queries_whatever_its_size(db, make_user, make_product):
    from tests.customers.factories import count_queries

    user = await make_user()
    for n in range(6):
        await service.add(db, user.id, (await make_product(f"Oil {n}")).id)
    async with count_queries(db) as counter:
        saved = await service.list_saved(db, user.id)
    assert len(saved) == 6 and counter.count == 3
