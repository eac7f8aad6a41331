"""Admin: onboard a brand with a new or an existing user, feature and hide brands (the home and
discovery follow), and only staff with the permission get there."""

from __future__ import annotations

from sqlalchemy import select

from mercato.brands import access
from mercato.models import User
from mercato.models.brands import Brand
from tests.brands.conftest import PASSWORD, ROOT, STORE
from tests.helpers import csrf_from, signin


async def test_onboard_a_brand_with_a_new_user(client, qdb, make_user):
    admin = await make_user("admin", "admin")
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/admin/brands/new")
    form = {
        "csrf_token": token,
        "name": "Atelier Onboard",
        "location_city": "Lisbon",
        "location_country": "PT",
        "founded_year": "2020",
        "user_email": "owner@onboard.test",
        "user_name": "Inês Costa",
        "user_password": "short",
    }
    weak = await client.post(f"{ROOT}/admin/brands/new", data=form)
    assert weak.status_code == 422
    assert await qdb.scalar(select(Brand).where(Brand.slug == "atelier-onboard")) is None
    bad_year = await client.post(f"{ROOT}/admin/brands/new", data={**form, "founded_year": "20x0"})
    assert bad_year.status_code == 422
    done = await client.post(
        f"{ROOT}/admin/brands/new", data={**form, "user_password": "Tile-Harbour-Needle-Thread-5"}
    )
    assert done.status_code == 303, done.text[:400]
    brand = await qdb.scalar(select(Brand).where(Brand.slug == "atelier-onboard"))
    user = await qdb.scalar(select(User).where(User.email == "owner@onboard.test"))
    assert brand is not None and user is not None
    assert await access.brand_ids_for_user(qdb, user.id) == [brand.id]
    # the same slug again is refused, not a 500
    again = await client.post(
        f"{ROOT}/admin/brands/new", data={**form, "user_email": "owner@onboard.test"}
    )
    assert again.status_code == 409


async def test_feature_and_hide_change_home_and_discovery(client, qdb, make_user, make_brand):
    admin = await make_user("admin", "admin")
    brand, _, _, _ = await make_brand("Featurable")
    home = await client.get(f"{ROOT}/")
    assert home.status_code == 200 and "Featurable" not in home.text.split("New collections")[0]
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/admin/brands")
    assert (
        await client.post(f"{ROOT}/admin/brands/{brand.id}/feature", data={"csrf_token": token})
    ).status_code == 303
    client.cookies.clear()
    home = await client.get(f"{ROOT}/")
    assert "Featurable" in home.text.split("New collections")[0]
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/admin/brands")
    assert (
        await client.post(f"{ROOT}/admin/brands/{brand.id}/deactivate", data={"csrf_token": token})
    ).status_code == 303
    client.cookies.clear()
    assert "Featurable" not in (await client.get(f"{ROOT}/discover")).text


async def test_brand_users_and_buyers_cannot_use_the_admin(client, make_brand, make_buyer):
    _, owner, _, _ = await make_brand("Not Admin")
    buyer = await make_buyer("approved")
    for user in (owner, buyer):
        client.cookies.clear()
        await signin(client, STORE, user.email, PASSWORD)
        for url in ("admin/brands", "admin/brands/new", "admin/brands/boutiques"):
            assert (await client.get(f"{ROOT}/{url}")).status_code in (403, 404), (user.email, url)


async def test_add_a_second_brand_user_who_can_then_edit_the_brand(
    client, qdb, make_user, make_brand
):
    admin = await make_user("admin", "admin")
    brand, _, _, product = await make_brand("Two Hands")
    colleague = await make_user("colleague", "customer")
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/admin/brands/{brand.id}")
    unknown = await client.post(
        f"{ROOT}/admin/brands/{brand.id}/users",
        data={"csrf_token": token, "user_email": "new@x.test"},
    )
    assert unknown.status_code == 422  # a new account needs a name and a password
    added = await client.post(
        f"{ROOT}/admin/brands/{brand.id}/users",
        data={"csrf_token": token, "user_email": colleague.email},
    )
    assert added.status_code == 303
    assert await access.brand_ids_for_user(qdb, colleague.id) == [brand.id]
    client.cookies.clear()
    await signin(client, STORE, colleague.email, PASSWORD)
    assert (await client.get(f"{ROOT}/brand/products/{product.id}")).status_code == 200
