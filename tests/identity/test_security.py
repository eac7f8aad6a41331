"""Attacks on the account pages, tried for real and refused."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.identity import sessions
from mercato.identity.service import block_user
from mercato.models import User
from tests.helpers import csrf_from, signin
from tests.identity.conftest import PASSWORD

STORE = "/atelier-arome"


async def test_missing_csrf_token_is_refused_and_nothing_changes(client, db, make_user):
    # Given a signed-in user
    await make_user()
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    # When a form is posted without its CSRF token (as a cross-site form would be)
    response = await client.post(
        f"{STORE}/account/profile", data={"name": "Mallory", "phone": "+1 555 0100"}
    )
    # Then it is refused and the profile is unchanged
    assert response.status_code == 403
    db.expire_all()
    user = await db.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.name == "Ada"
    # And a sign-up without the token creates nobody.
    client.cookies.clear()
    refused = await client.post(
        f"{STORE}/account/signup",
        data={"email": "mallory@example.com", "password": "Very-Strong-Password-91"},
    )
    assert refused.status_code == 403
    assert await db.scalar(select(func.count()).select_from(User)) == 1


async def test_forged_csrf_token_is_refused(client, db, make_user):
    await make_user()
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    real = await csrf_from(client, f"{STORE}/account/profile")
    forged = real[:-4] + ("0000" if not real.endswith("0000") else "1111")
    response = await client.post(
        f"{STORE}/account/profile", data={"csrf_token": forged, "name": "Mallory"}
    )
    assert response.status_code == 403
    # A token made for another store is no good here either.
    other = await csrf_from(client, "/qala/account/signin")
    response = await client.post(
        f"{STORE}/account/profile", data={"csrf_token": other, "name": "Mallory"}
    )
    assert response.status_code == 403
    db.expire_all()
    assert (await db.scalar(select(User.name).where(User.email == "ada@example.com"))) == "Ada"


async def test_session_from_another_store_is_not_valid(client, make_user):
    # Given a session cookie from Atelier Arôme
    await make_user()
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    token = client.cookies.get("mercato_session", path="/atelier-arome/")
    assert token
    # When it is sent to Qala, then Qala does not know it: not signed in.
    client.cookies.clear()
    client.cookies.set("mercato_session", token, path="/")
    response = await client.get("/qala/account/profile")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/qala/account/signin")
    # While Atelier Arôme still accepts it.
    assert (await client.get(f"{STORE}/account/profile")).status_code == 200


async def test_brute_force_signin_is_rate_limited(client, make_user, runtime):
    await make_user()
    csrf = await csrf_from(client, f"{STORE}/account/signin")
    statuses = []
    for attempt in range(8):
        response = await client.post(
            f"{STORE}/account/signin",
            data={"csrf_token": csrf, "email": "ada@example.com", "password": f"guess-{attempt}"},
        )
        statuses.append(response.status_code)
    assert statuses[:5] == [422] * 5
    assert statuses[5:] == [429] * 3
    assert int(response.headers["retry-after"]) >= 1
    assert "Too many attempts" in response.text
    # Even the right password is refused while the account's bucket is full.
    right = await client.post(
        f"{STORE}/account/signin",
        data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD},
    )
    assert right.status_code == 429


async def test_cycling_accounts_from_one_address_is_rate_limited(client, make_user):
    await make_user()
    csrf = await csrf_from(client, f"{STORE}/account/signin")
    statuses = []
    for n in range(12):
        response = await client.post(
            f"{STORE}/account/signin",
            data={"csrf_token": csrf, "email": f"user{n}@example.com", "password": "guess-guess"},
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]


async def test_revoking_another_users_session_is_refused(client, db, make_user):
    # Given Bob's live session and Ada signed in
    await make_user("ada@example.com")
    bob = await make_user("bob@example.com", name="Bob")
    bobs_token = await sessions.start_session(db, bob, days=1)
    bobs_session, _ = await sessions.resolve_session(db, bobs_token)
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    # When Ada posts a revoke for Bob's session id
    csrf = await csrf_from(client, f"{STORE}/account/sessions")
    response = await client.post(
        f"{STORE}/account/sessions/{bobs_session.id}/revoke", data={"csrf_token": csrf}
    )
    # Then it is "not found" and Bob stays signed in
    assert response.status_code == 404
    db.expire_all()
    assert await sessions.resolve_session(db, bobs_token) is not None
    # And Bob's session is not listed on Ada's page.
    page = await client.get(f"{STORE}/account/sessions")
    assert f"sessions/{bobs_session.id}/revoke" not in page.text


async def test_revoking_own_session_signs_that_device_out(client, db, make_user):
    user = await make_user()
    phone = await sessions.start_session(db, user, days=1, user_agent="Phone")
    phone_session, _ = await sessions.resolve_session(db, phone)
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    csrf = await csrf_from(client, f"{STORE}/account/sessions")
    response = await client.post(
        f"{STORE}/account/sessions/{phone_session.id}/revoke", data={"csrf_token": csrf}
    )
    assert response.status_code == 303
    assert await sessions.resolve_session(db, phone) is None


async def test_blocked_users_web_session_ends(client, db, make_user):
    user = await make_user()
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    assert (await client.get(f"{STORE}/account/profile")).status_code == 200
    await block_user(db, user, reason="fraud")
    response = await client.get(f"{STORE}/account/profile")
    assert response.status_code == 303
    assert "/account/signin" in response.headers["location"]
