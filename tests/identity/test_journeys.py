"""Account journeys through the real pages: sign up, verify, sign in/out, reset, change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from mercato.identity import sessions
from mercato.kit.time import utcnow
from mercato.models import EmailToken, User, WebSession
from tests.helpers import csrf_from, signin
from tests.identity.conftest import NEW_PASSWORD, PASSWORD, last_email, link_token

STORE = "/atelier-arome"


async def _signup(client, email="grace@example.com", password=PASSWORD, name="Grace"):
    token = await csrf_from(client, f"{STORE}/account/signup")
    return await client.post(
        f"{STORE}/account/signup",
        data={"csrf_token": token, "email": email, "password": password, "name": name},
    )


async def _user(db, email) -> User | None:
    db.expire_all()
    return await db.scalar(select(User).where(User.email == email))


async def test_signup_verify_signin_signout_journey(client, db, roles):
    # Given a visitor, when they sign up, then they are signed in and told to check the inbox.
    response = await _signup(client)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{STORE}/account/profile"
    profile = await client.get(f"{STORE}/account/profile")
    assert profile.status_code == 200
    assert "check your inbox" in profile.text
    assert "Not confirmed yet" in profile.text
    user = await _user(db, "grace@example.com")
    assert user is not None and user.email_verified_at is None

    # When they open the link from the email, then the address is confirmed.
    message = await last_email(db, "grace@example.com")
    assert "http://testserver/atelier-arome/account/verify?token=" in message.text_body
    token = link_token(message)
    verified = await client.get(f"{STORE}/account/verify", params={"token": token})
    assert verified.status_code == 303
    assert (await _user(db, "grace@example.com")).email_verified_at is not None
    # And the link is single-use.
    again = await client.get(f"{STORE}/account/verify", params={"token": token})
    assert again.status_code == 400

    # When they sign out, then the account pages ask them to sign in.
    csrf = await csrf_from(client, f"{STORE}/account/profile")
    out = await client.post(f"{STORE}/account/signout", data={"csrf_token": csrf})
    assert out.status_code == 303
    gone = await client.get(f"{STORE}/account/profile")
    assert gone.status_code == 303
    assert gone.headers["location"].startswith(f"{STORE}/account/signin?next=")

    # And they can sign in again.
    await signin(client, "atelier-arome", "grace@example.com", PASSWORD)
    assert (await client.get(f"{STORE}/account/profile")).status_code == 200


async def test_signup_gets_the_customer_role(client, db, runtime):
    # Given a store with no roles yet, when someone signs up, then "customer" is created and held.
    from mercato.identity.service import role_names_of

    assert (await _signup(client)).status_code == 303
    user = await _user(db, "grace@example.com")
    assert await role_names_of(db, user.id) == ["customer"]


async def test_weak_password_is_refused_with_reasons_and_no_user(client, db, roles):
    # Given a weak password, when signing up, then the reason is shown and no account exists.
    response = await _signup(client, password="password1")
    assert response.status_code == 422
    assert "Use at least 10 characters." in response.text
    assert 'value="grace@example.com"' in response.text  # input kept
    assert "password1" not in response.text  # never echoed
    response = await _signup(client, password="password12345")
    assert response.status_code == 422
    assert 'id="password-error"' in response.text and "field-error" in response.text
    assert await _user(db, "grace@example.com") is None


async def test_duplicate_email_is_refused_on_the_email_field(client, db, make_user):
    await make_user("grace@example.com")
    response = await _signup(client, email="Grace@Example.com")
    assert response.status_code == 422
    assert "already exists" in response.text
    count = await db.scalar(select(func.count()).select_from(User))
    assert count == 1


async def test_invalid_email_is_refused(client, db, roles):
    response = await _signup(client, email="not-an-email")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert await db.scalar(select(func.count()).select_from(User)) == 0


async def test_signin_next_must_stay_in_the_store(client, make_user):
    await make_user()
    for evil in ("https://evil.example/", "//evil.example/x", "/qala/account/profile", "/\\evil"):
        csrf = await csrf_from(client, f"{STORE}/account/signin")
        response = await client.post(
            f"{STORE}/account/signin",
            params={"next": evil},
            data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD},
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"{STORE}/account/profile", evil
    csrf = await csrf_from(client, f"{STORE}/account/signin")
    response = await client.post(
        f"{STORE}/account/signin",
        data={
            "csrf_token": csrf,
            "email": "ada@example.com",
            "password": PASSWORD,
            "next": f"{STORE}/account/sessions",
        },
    )
    assert response.headers["location"] == f"{STORE}/account/sessions"


async def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    await make_user()
    answers = []
    for email, password in (
        ("ada@example.com", "wrong-password-1"),
        ("nobody@example.com", PASSWORD),
    ):
        csrf = await csrf_from(client, f"{STORE}/account/signin")
        response = await client.post(
            f"{STORE}/account/signin",
            data={"csrf_token": csrf, "email": email, "password": password},
        )
        assert response.status_code == 422
        answers.append("The email or password is not right." in response.text)
    assert answers == [True, True]


async def test_session_cookie_is_scoped_to_the_store_and_hardened(client, make_user):
    await make_user()
    csrf = await csrf_from(client, f"{STORE}/account/signin")
    response = await client.post(
        f"{STORE}/account/signin",
        data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD},
    )
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("mercato_session=")
    )
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert "path=/atelier-arome/" in attributes
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert any(a.startswith("max-age=") for a in attributes)


async def test_signin_always_issues_a_new_session_token(client, db, make_user):
    # Given a browser that arrives with a known session token (fixation attempt) ...
    user = await make_user()
    planted = await sessions.start_session(db, user, days=1)
    client.cookies.set("mercato_session", planted, path="/atelier-arome/")
    # When the user signs in, then the cookie changes and the planted session is ended.
    csrf = await csrf_from(client, f"{STORE}/account/signin?next={STORE}/account/profile")
    response = await client.post(
        f"{STORE}/account/signin",
        data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD},
    )
    assert response.status_code == 303
    issued = response.cookies.get("mercato_session")
    assert issued and issued != planted
    assert await sessions.resolve_session(db, planted) is None
    # And an attacker-chosen random cookie value is never adopted either.
    client.cookies.clear()
    client.cookies.set("mercato_session", "attacker-chosen-value", path="/")
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    values = [c.value for c in client.cookies.jar if c.name == "mercato_session"]
    assert "attacker-chosen-value" in values  # the planted one at "/", untouched
    assert any(v != "attacker-chosen-value" for v in values)


async def test_blocked_user_cannot_sign_in(client, db, make_user):
    from mercato.identity.service import block_user

    user = await make_user()
    await block_user(db, user, reason="chargebacks")
    csrf = await csrf_from(client, f"{STORE}/account/signin")
    response = await client.post(
        f"{STORE}/account/signin",
        data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert "This account is blocked" in response.text
    assert "mercato_session" not in response.cookies


async def _forgot(client, email):
    csrf = await csrf_from(client, f"{STORE}/account/forgot")
    return await client.post(f"{STORE}/account/forgot", data={"csrf_token": csrf, "email": email})


async def _reset(client, token, password=NEW_PASSWORD):
    page = await client.get(f"{STORE}/account/reset", params={"token": token})
    csrf = await csrf_from(client, f"{STORE}/account/forgot")
    response = await client.post(
        f"{STORE}/account/reset", data={"csrf_token": csrf, "token": token, "password": password}
    )
    return page, response


async def test_reset_password_is_single_use_and_ends_every_session(client, db, make_user):
    # Given a signed-in user (another browser) who forgot the password
    user = await make_user()
    other_browser = await sessions.start_session(db, user, days=1)
    answer = await _forgot(client, "ada@example.com")
    assert "If an account exists" in answer.text
    token = link_token(await last_email(db, "ada@example.com"))
    # When a weak password is chosen, then it is refused and the link still works.
    _, weak = await _reset(client, token, "short")
    assert weak.status_code == 422 and "Use at least 10 characters." in weak.text
    # When a good one is chosen, then the password changes and every session ends.
    page, response = await _reset(client, token)
    assert page.status_code == 200
    assert response.status_code == 303
    assert response.headers["location"] == f"{STORE}/account/signin"
    assert await sessions.resolve_session(db, other_browser) is None
    await signin(client, "atelier-arome", "ada@example.com", NEW_PASSWORD)
    # And the link cannot be used a second time.
    page, again = await _reset(client, token, "Another-Good-Password-55")
    assert page.status_code == 400 and again.status_code == 400
    assert "expired or was already used" in again.text


async def test_expired_reset_link_is_refused(client, db, make_user):
    await make_user()
    await _forgot(client, "ada@example.com")
    token = link_token(await last_email(db, "ada@example.com"))
    # Time travel: the link was issued more than an hour ago.
    await db.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    page, response = await _reset(client, token)
    assert page.status_code == 400 and response.status_code == 400
    csrf = await csrf_from(client, f"{STORE}/account/signin")
    old = await client.post(
        f"{STORE}/account/signin",
        data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD},
    )
    assert old.status_code == 303  # the old password still works


async def test_forgot_answers_the_same_for_unknown_accounts(client, db, roles):
    from mercato.models import EmailMessage

    response = await _forgot(client, "nobody@example.com")
    assert response.status_code == 200
    assert "If an account exists" in response.text
    assert await db.scalar(select(func.count()).select_from(EmailMessage)) == 0


async def test_change_password_keeps_this_session_and_ends_the_others(client, db, make_user):
    user = await make_user()
    other_browser = await sessions.start_session(db, user, days=1)
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    csrf = await csrf_from(client, f"{STORE}/account/password")
    wrong = await client.post(
        f"{STORE}/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "nope-nope-nope",
            "new_password": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    ok = await client.post(
        f"{STORE}/account/password",
        data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert ok.status_code == 303
    assert (await client.get(f"{STORE}/account/profile")).status_code == 200  # still signed in
    assert await sessions.resolve_session(db, other_browser) is None


async def test_sign_out_everywhere_else(client, db, make_user):
    user = await make_user()
    others = [await sessions.start_session(db, user, days=1, user_agent="Phone") for _ in range(2)]
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    page = await client.get(f"{STORE}/account/sessions")
    assert page.status_code == 200
    assert "This device" in page.text and "Phone" in page.text
    csrf = await csrf_from(client, f"{STORE}/account/sessions")
    response = await client.post(
        f"{STORE}/account/sessions/revoke-others", data={"csrf_token": csrf}
    )
    assert response.status_code == 303
    for token in others:
        assert await sessions.resolve_session(db, token) is None
    db.expire_all()
    live = await db.scalar(
        select(func.count()).select_from(WebSession).where(WebSession.revoked_at.is_(None))
    )
    assert live == 1
    assert (await client.get(f"{STORE}/account/profile")).status_code == 200


async def test_profile_update_keeps_input_on_error(client, db, make_user):
    await make_user()
    await signin(client, "atelier-arome", "ada@example.com", PASSWORD)
    csrf = await csrf_from(client, f"{STORE}/account/profile")
    bad = await client.post(
        f"{STORE}/account/profile", data={"csrf_token": csrf, "name": "Ada L", "phone": "call me"}
    )
    assert bad.status_code == 422 and 'value="Ada L"' in bad.text
    ok = await client.post(
        f"{STORE}/account/profile",
        data={"csrf_token": csrf, "name": "Ada Lovelace", "phone": "+44 20 7946 0000"},
    )
    assert ok.status_code == 303
    user = await _user(db, "ada@example.com")
    assert (user.name, user.phone) == ("Ada Lovelace", "+44 20 7946 0000")


async def test_resend_verification_sends_a_new_link_and_old_one_dies(client, db, roles):
    assert (await _signup(client)).status_code == 303
    first = link_token(await last_email(db, "grace@example.com"))
    csrf = await csrf_from(client, f"{STORE}/account/profile")
    response = await client.post(f"{STORE}/account/verify/resend", data={"csrf_token": csrf})
    assert response.status_code == 303
    second = link_token(await last_email(db, "grace@example.com"))
    assert second != first
    assert (await client.get(f"{STORE}/account/verify", params={"token": first})).status_code == 400
    assert (
        await client.get(f"{STORE}/account/verify", params={"token": second})
    ).status_code == 303


async def test_resend_verification_needs_a_signed_in_user(client, roles):
    csrf = await csrf_from(client, f"{STORE}/account/signin")
    response = await client.post(f"{STORE}/account/verify/resend", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == f"{STORE}/account/signin"


async def test_account_pages_send_visitors_to_sign_in_and_back(client, make_user):
    await make_user()
    for page in ("profile", "password", "sessions"):
        response = await client.get(f"{STORE}/account/{page}")
        assert response.status_code == 303
        assert response.headers["location"] == (
            f"{STORE}/account/signin?next={STORE}/account/{page}"
        )
    csrf = await csrf_from(client, f"{STORE}/account/signin?next={STORE}/account/sessions")
    response = await client.post(
        f"{STORE}/account/signin?next={STORE}/account/sessions",
        data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD},
    )
    assert response.headers["location"] == f"{STORE}/account/sessions"


async def test_forgot_password_is_rate_limited_per_email(client, db, make_user):
    await make_user()
    statuses = [(await _forgot(client, "ada@example.com")).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
