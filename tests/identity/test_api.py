"""The auth API: register, token, refresh rotation with reuse detection, me, logout, keys."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from sqlalchemy import func, select

from mercato.identity import api_keys, tokens
from mercato.identity.api_deps import ApiPrincipal, require_api_permission
from mercato.identity.service import block_user
from mercato.kit.errors import ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import ApiKey, RefreshToken, User
from tests.identity.conftest import PASSWORD

API = "/atelier-arome/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _token(client, email="ada@example.com", password=PASSWORD, api=API):
    return await client.post(f"{api}/auth/token", json={"email": email, "password": password})


async def test_register_creates_a_customer(client, db, roles):
    response = await client.post(
        f"{API}/auth/register",
        json={"email": "Grace@Example.com", "password": PASSWORD, "name": "Grace"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "grace@example.com" and body["email_verified"] is False
    assert "password" not in str(body).lower()


async def test_register_refuses_weak_password_and_duplicates_with_field_paths(client, db, roles):
    weak = await client.post(
        f"{API}/auth/register", json={"email": "grace@example.com", "password": "password1"}
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "password"
    assert await db.scalar(select(func.count()).select_from(User)) == 0
    first = await client.post(
        f"{API}/auth/register", json={"email": "grace@example.com", "password": PASSWORD}
    )
    assert first.status_code == 201
    again = await client.post(
        f"{API}/auth/register", json={"email": "GRACE@example.com", "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "email"
    missing = await client.post(f"{API}/auth/register", json={"email": "x@example.com"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "password"


async def test_token_and_me(client, make_user):
    await make_user(role_names=("customer", "staff"))
    response = await _token(client)
    assert response.status_code == 200, response.text
    pair = response.json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 15 * 60
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert claims["store"] == "atelier-arome" and {"sub", "fam", "exp", "iat", "jti"} <= set(claims)
    me = await client.get(f"{API}/auth/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == "ada@example.com"
    assert body["roles"] == ["customer", "staff"]
    assert "admin.access" in body["permissions"] and body["via"] == "token"


async def test_wrong_password_is_401_and_blocked_is_403(client, db, make_user):
    user = await make_user()
    assert (await _token(client, password="not-the-password")).status_code == 401
    await block_user(db, user, reason="fraud")
    blocked = await _token(client)
    assert blocked.status_code == 403
    assert "blocked" in blocked.json()["detail"]


async def test_missing_or_bad_token_is_401_with_www_authenticate(client, make_user):
    await make_user()
    for headers in ({}, bearer("not-a-jwt"), {"X-API-Key": "mk_nope_nope"}):
        response = await client.get(f"{API}/auth/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "detail" in response.json()


async def test_token_of_another_store_or_expired_is_refused(client, runtime, make_user):
    user = await make_user()
    pair = (await _token(client)).json()
    # Another store does not accept it (and has no such user anyway).
    other = await client.get("/qala/api/v1/auth/me", headers=bearer(pair["access_token"]))
    assert other.status_code == 401
    # An expired token signed with the right key is refused.
    now = utcnow()
    expired = jwt.encode(
        {
            "sub": str(user.id),
            "store": "atelier-arome",
            "fam": "x" * 32,
            "aud": tokens.AUDIENCE,
            "iat": now - timedelta(hours=1),
            "exp": now - timedelta(minutes=1),
            "jti": "j",
        },
        tokens._signing_key(runtime),
        algorithm="HS256",
    )
    assert (await client.get(f"{API}/auth/me", headers=bearer(expired))).status_code == 401
    # An unsigned ("alg": "none") token is refused.
    unsigned = jwt.encode(
        jwt.decode(pair["access_token"], options={"verify_signature": False}),
        None,
        algorithm="none",
    )
    assert (await client.get(f"{API}/auth/me", headers=bearer(unsigned))).status_code == 401


async def test_refresh_rotates_and_reuse_revokes_the_family(client, db, make_user):
    # Given a signed-in API client
    await make_user()
    first = (await _token(client)).json()
    # When it refreshes, then it gets a new pair that works
    rotated = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get(f"{API}/auth/me", headers=bearer(second["access_token"]))
    assert me.status_code == 200
    # When the first refresh token is presented again (stolen copy)
    reused = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    # Then it is refused and the whole family is revoked: the newest refresh and access too
    assert reused.status_code == 401
    assert reused.json()["errors"][0]["code"] == "refresh_token_reused"
    db.expire_all()
    live = await db.scalar(
        select(func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None))
    )
    assert live == 0
    after = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert after.status_code == 401
    for access in (first["access_token"], second["access_token"]):
        assert (await client.get(f"{API}/auth/me", headers=bearer(access))).status_code == 401


async def test_other_sign_ins_survive_a_revoked_family(client, make_user):
    await make_user()
    laptop = (await _token(client)).json()
    phone = (await _token(client)).json()
    logout = await client.post(f"{API}/auth/logout", headers=bearer(laptop["access_token"]))
    assert logout.status_code == 204
    assert (
        await client.get(f"{API}/auth/me", headers=bearer(laptop["access_token"]))
    ).status_code == 401
    assert (
        await client.get(f"{API}/auth/me", headers=bearer(phone["access_token"]))
    ).status_code == 200
    refused = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": laptop["refresh_token"]}
    )
    assert refused.status_code == 401


async def test_blocked_users_access_token_stops_working(client, db, make_user):
    user = await make_user()
    pair = (await _token(client)).json()
    assert (
        await client.get(f"{API}/auth/me", headers=bearer(pair["access_token"]))
    ).status_code == 200
    await block_user(db, user, reason="fraud")
    response = await client.get(f"{API}/auth/me", headers=bearer(pair["access_token"]))
    assert response.status_code == 401
    refresh = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_token_endpoint_is_rate_limited(client, make_user, runtime):
    await make_user()
    statuses = [(await _token(client, password=f"guess-{n}")).status_code for n in range(22)]
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429, 429]
    response = await _token(client)
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1


async def test_openapi_shows_bearer_and_api_key_schemes(client):
    doc = (await client.get("/atelier-arome/api/openapi.json")).json()
    schemes = doc["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["HTTPBearer"].items()
    assert schemes["APIKeyHeader"]["name"] == "X-API-Key"
    assert "/api/v1/auth/token" in doc["paths"]


# ---------------------------------------------------------------- API keys


async def test_api_key_authenticates_with_its_scopes_until_revoked(client, db, make_user):
    # Given a staff user's key limited to one of their permissions
    staff = await make_user(role_names=("staff",))
    key, raw = await api_keys.create_api_key(
        db, staff, name="Stock sync", scopes=["identity.user.read"]
    )
    assert raw.startswith(f"mk_{key.prefix}_") and key.key_hash != raw
    key_id = key.id
    # When it calls the API, then it acts for its owner with only the key's scopes
    me = await client.get(f"{API}/auth/me", headers={"X-API-Key": raw})
    assert me.status_code == 200
    assert me.json()["permissions"] == ["identity.user.read"] and me.json()["via"] == "api_key"
    db.expire_all()
    assert (await db.get(ApiKey, key_id)).last_used_at is not None
    # When it is revoked, then it is refused
    await api_keys.revoke_api_key(db, key_id)
    assert (await client.get(f"{API}/auth/me", headers={"X-API-Key": raw})).status_code == 401


async def test_expired_api_key_and_blocked_owner_are_refused(client, db, make_user):
    staff = await make_user(role_names=("staff",))
    key, raw = await api_keys.create_api_key(
        db,
        staff,
        name="Old",
        scopes=["identity.user.read"],
        expires_at=utcnow() + timedelta(days=1),
    )
    key.expires_at = utcnow() - timedelta(seconds=1)  # time travel
    await db.flush()
    assert (await client.get(f"{API}/auth/me", headers={"X-API-Key": raw})).status_code == 401
    _, fresh = await api_keys.create_api_key(db, staff, name="New", scopes=["identity.user.read"])
    assert (await client.get(f"{API}/auth/me", headers={"X-API-Key": fresh})).status_code == 200
    await block_user(db, staff, reason="left")
    assert (await client.get(f"{API}/auth/me", headers={"X-API-Key": fresh})).status_code == 401


async def test_api_key_scopes_cannot_exceed_the_creator(db, make_user):
    staff = await make_user(role_names=("staff",))
    with pytest.raises(ValidationFailed) as refused:
        await api_keys.create_api_key(db, staff, name="Too much", scopes=["identity.user.write"])
    assert refused.value.field == "scopes"
    with pytest.raises(ValidationFailed):
        await api_keys.create_api_key(db, staff, name="Everything", scopes=["*"])
    # An admin ("*") may grant any known permission, but not invented ones.
    admin = await make_user("root@example.com", role_names=("admin",))
    key, _ = await api_keys.create_api_key(
        db, admin, name="Ops", scopes=["identity.user.write", "platform.email.read"]
    )
    assert key.scopes == ["identity.user.write", "platform.email.read"]
    with pytest.raises(ValidationFailed):
        await api_keys.create_api_key(db, admin, name="Typo", scopes=["identity.usr.write"])
    assert [k.name for k in await api_keys.list_api_keys(db)] == ["Ops"]


async def test_require_api_permission_checks_the_principal(make_user):
    user = await make_user()
    check = require_api_permission("identity.user.read")
    allowed = ApiPrincipal(user, frozenset({"identity.user.read"}), "api_key")
    assert await check(allowed) is allowed
    from fastapi import HTTPException

    with pytest.raises(HTTPException) as refused:
        await check(ApiPrincipal(user, frozenset({"platform.email.read"}), "api_key"))
    assert refused.value.status_code == 403
    assert await check(ApiPrincipal(user, frozenset({"*"}), "token"))


async def test_register_is_rate_limited_per_address_and_the_refused_call_creates_nothing(
    client, db, roles
):
    # Given five sign-ups from one address within a minute (the configured limit)
    for n in range(5):
        body = {"email": f"bulk{n}@example.com", "password": PASSWORD, "name": "Bulk"}
        assert (await client.post(f"{API}/auth/register", json=body)).status_code == 201
    # When a sixth arrives
    body = {"email": "bulk5@example.com", "password": PASSWORD, "name": "Bulk"}
    refused = await client.post(f"{API}/auth/register", json=body)
    # Then it is refused with Retry-After, and no account was made for it
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert await db.scalar(select(func.count()).where(User.email == "bulk5@example.com")) == 0
