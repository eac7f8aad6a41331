"""Sign in with Google, against a local OpenID provider written for these tests (metadata,
authorize, token endpoint with PKCE, RS256-signed ID tokens and a JWKS), served through
respx; Google itself is never contacted."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from sqlalchemy import select

from mercato.identity import oauth
from mercato.models import OAuthAccount, User, WebSession

STORE = "atelier-arome"
ROOT = f"/{STORE}"
ISSUER = "https://idp.test"
CLIENT_ID = "mercato-test-client"
CLIENT_SECRET = "s3cret-client"  # noqa: S105 - a test value


class LocalIdP:
    """A tiny OpenID provider: enough of the protocol to test our side of it."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.published_key: Any = None  # set to publish a key other than the signing one
        self.codes: dict[str, dict[str, Any]] = {}
        self.claims: dict[str, Any] = {
            "sub": "google-sub-1",
            "email": "ines@example.com",
            "email_verified": True,
            "name": "Inès Laurent",
        }
        self.overrides: dict[str, Any] = {}
        self.token_requests: list[dict[str, list[str]]] = []

    # -- endpoints
    def metadata(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
            },
        )

    def jwks(self, request: httpx.Request) -> httpx.Response:
        published = self.published_key or self.key
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(published.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return httpx.Response(200, json={"keys": [jwk]})

    def authorize(self, url: str) -> str:
        """What the browser would do at the provider: returns the callback URL."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256" and "openid" in query["scope"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})

    def token(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        self.token_requests.append(form)
        code = form.get("code", [""])[0]
        grant = self.codes.pop(code, None)
        if grant is None:
            return httpx.Response(400, json={"error": "invalid_grant"})
        verifier = form["code_verifier"][0]
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
            b"="
        )
        if challenge.decode() != grant["code_challenge"]:
            return httpx.Response(400, json={"error": "invalid_grant"})
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **self.claims,
            **self.overrides,
        }
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        return httpx.Response(
            200,
            json={
                "access_token": "at",
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
        )


@pytest.fixture
def idp(runtime, monkeypatch):
    provider = LocalIdP()
    monkeypatch.setattr(runtime.settings, "google_client_id", CLIENT_ID)
    monkeypatch.setattr(runtime.settings, "google_client_secret", SecretStr(CLIENT_SECRET))
    monkeypatch.setattr(
        runtime.settings, "google_metadata_url", f"{ISSUER}/.well-known/openid-configuration"
    )
    oauth.clear_cache()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{ISSUER}/.well-known/openid-configuration").mock(side_effect=provider.metadata)
        mock.get(f"{ISSUER}/jwks").mock(side_effect=provider.jwks)
        mock.post(f"{ISSUER}/token").mock(side_effect=provider.token)
        yield provider
    oauth.clear_cache()


async def google_round_trip(client, idp: LocalIdP, *, tamper_state: bool = False):
    start = await client.get(
        f"{ROOT}/account/google/start", params={"next": f"{ROOT}/account/addresses"}
    )
    assert start.status_code == 303
    location = start.headers["location"]
    assert location.startswith(f"{ISSUER}/authorize?")
    callback = idp.authorize(location)
    if tamper_state:
        callback = callback.replace("state=", "state=x")
    path = urlsplit(callback)
    return await client.get(f"{path.path}?{path.query}")


async def user_by_email(db, email: str) -> User | None:
    return await db.scalar(
        select(User).where(User.email == email).execution_options(populate_existing=True)
    )


async def test_not_offered_without_credentials(client):
    page = await client.get(f"{ROOT}/account/signin")
    assert "Sign in with Google" not in page.text
    assert (await client.get(f"{ROOT}/account/google/start")).status_code == 404
    assert (await client.get(f"{ROOT}/account/google/callback")).status_code == 404


async def test_happy_path_creates_a_customer_and_signs_in(client, db, idp, roles):
    page = await client.get(f"{ROOT}/account/signin")
    assert "Sign in with Google" in page.text
    response = await google_round_trip(client, idp)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{ROOT}/account/addresses"
    user = await user_by_email(db, "ines@example.com")
    assert user is not None and user.email_verified_at is not None and user.password_hash is None
    link = await db.scalar(select(OAuthAccount).where(OAuthAccount.user_id == user.id))
    assert link.provider == "google" and link.subject == "google-sub-1"
    assert await db.scalar(select(WebSession).where(WebSession.user_id == user.id)) is not None
    # The client secret went to the token endpoint; the session cookie works.
    assert idp.token_requests and (await client.get(f"{ROOT}/account/addresses")).status_code == 200
    # The second time, the same link is used: no second user, no second link.
    client.cookies.clear()
    again = await google_round_trip(client, idp)
    assert again.status_code == 303
    links = list(
        await db.scalars(select(OAuthAccount).where(OAuthAccount.subject == "google-sub-1"))
    )
    assert len(links) == 1


async def test_existing_account_with_the_same_email_is_linked(client, db, idp, make_user):
    existing = await make_user("ines@example.com", name="Inès")
    existing.email_verified_at = existing.created_at
    await db.flush()
    response = await google_round_trip(client, idp)
    assert response.status_code == 303
    link = await db.scalar(select(OAuthAccount).where(OAuthAccount.subject == "google-sub-1"))
    assert link.user_id == existing.id
    assert (await user_by_email(db, "ines@example.com")).password_hash is not None  # kept


async def test_unverified_local_account_loses_its_password_when_linked(client, db, idp, make_user):
    squatter = await make_user("ines@example.com")  # registered by someone, never verified
    squatter.email_verified_at = None
    await db.flush()
    response = await google_round_trip(client, idp)
    assert response.status_code == 303
    user = await user_by_email(db, "ines@example.com")
    assert user.id == squatter.id and user.password_hash is None and user.email_verified_at


async def test_wrong_state_refused(client, db, idp):
    response = await google_round_trip(client, idp, tamper_state=True)
    assert response.status_code == 400
    assert await user_by_email(db, "ines@example.com") is None
    assert idp.token_requests == []  # the code was never exchanged


async def test_callback_without_the_state_cookie_refused(client, db, idp):
    start = await client.get(f"{ROOT}/account/google/start")
    callback = idp.authorize(start.headers["location"])
    client.cookies.clear()  # another browser, or a forged link
    path = urlsplit(callback)
    response = await client.get(f"{path.path}?{path.query}")
    assert response.status_code == 400 and await user_by_email(db, "ines@example.com") is None


@pytest.mark.parametrize(
    "override",
    [
        {"aud": "someone-else"},
        {"iss": "https://evil.test"},
        {"email_verified": False},
        {"nonce": "replayed"},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["audience", "issuer", "unverified-email", "nonce", "expired"],
)
async def test_invalid_id_token_refused(client, db, idp, override):
    idp.overrides = override
    response = await google_round_trip(client, idp)
    assert response.status_code == 400
    assert await user_by_email(db, "ines@example.com") is None


async def test_token_signed_by_another_key_refused(client, db, idp):
    idp.published_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = await google_round_trip(client, idp)
    assert response.status_code == 400 and await user_by_email(db, "ines@example.com") is None


async def test_blocked_account_refused(client, db, idp, make_user):
    user = await make_user("ines@example.com")
    user.blocked_at = user.created_at
    await db.flush()
    response = await google_round_trip(client, idp)
    assert response.status_code == 400
    assert await db.scalar(select(OAuthAccount)) is None
