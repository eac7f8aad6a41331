"""The account endpoints of the seed's auth API: profile, change, forgot and reset password,
each acting on the caller's own account only and refusing bad input with a field path."""

from __future__ import annotations

from tests.identity.conftest import PASSWORD, last_email, link_token

API = "/atelier-arome/api/v1/auth"
NEW = "Saffron-Harbour-Lantern-84"


async def _bearer(client, email="ada@example.com", password=PASSWORD) -> dict[str, str]:
    answer = await client.post(f"{API}/token", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_profile_changes_only_the_callers_account(client, db, make_user):
    ada = await make_user()
    bob = await make_user("bob@example.com", name="Bob")
    headers = await _bearer(client)
    answer = await client.put(
        f"{API}/profile",
        json={"name": "Ada Lovelace", "phone": "+44 20 7946 0000"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    await db.refresh(ada)
    await db.refresh(bob)
    assert answer.json()["name"] == "Ada Lovelace" and ada.name == "Ada Lovelace"
    assert bob.name == "Bob"
    bad = await client.put(f"{API}/profile", json={"phone": "call me"}, headers=headers)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["phone"]
    await db.refresh(ada)
    assert ada.phone == "+44 20 7946 0000"
    assert (await client.put(f"{API}/profile", json={"name": "X"})).status_code == 401


async def test_change_password_needs_the_current_one_and_ends_every_sign_in(client, make_user):
    await make_user()
    headers = await _bearer(client)
    wrong = await client.put(
        f"{API}/change-password",
        json={"current_password": "not-it", "new_password": NEW},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    done = await client.put(
        f"{API}/change-password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers=headers,
    )
    assert done.status_code == 204
    assert (await client.get(f"{API}/me", headers=headers)).status_code == 401
    old = await client.post(f"{API}/token", json={"email": "ada@example.com", "password": PASSWORD})
    assert old.status_code == 401
    await _bearer(client, password=NEW)


async def test_forgot_and_reset_password_by_api(client, db, make_user):
    await make_user()
    unknown = await client.post(f"{API}/forgot-password", json={"email": "nobody@example.com"})
    known = await client.post(f"{API}/forgot-password", json={"email": "ada@example.com"})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()  # the answer reveals no accounts
    token = link_token(await last_email(db, "ada@example.com"))
    weak = await client.post(f"{API}/reset-password/{token}", json={"password": "short"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    assert (
        await client.post(f"{API}/reset-password/{token}", json={"password": NEW})
    ).status_code == 204
    again = await client.post(f"{API}/reset-password/{token}", json={"password": NEW + "x"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "token"
    await _bearer(client, password=NEW)
