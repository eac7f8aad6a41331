"""Newsletter double opt-in: pending is not subscribed, signed expiring links, one-click
unsubscribe, re-subscribing starts over, no enumeration, rate limit, admin export."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from mercato.models import AuditEntry, NewsletterSubscriber
from mercato.newsletter import service
from tests.customers.factories import STORE, emails_to, signin_as
from tests.helpers import csrf_from

ROOT = f"/{STORE}"


def link_in(text: str, path: str) -> str:
    match = re.search(rf"http://testserver{ROOT}/{path}\?token=([\w.\-]+)", text)
    assert match, text
    return match.group(1)


async def subscriber(db, email: str) -> NewsletterSubscriber | None:
    return await db.scalar(
        select(NewsletterSubscriber)
        .where(NewsletterSubscriber.email == email)
        .execution_options(populate_existing=True)
    )


async def footer_subscribe(client, email: str, **extra) -> object:
    token = await csrf_from(client, f"{ROOT}/newsletter")
    return await client.post(
        f"{ROOT}/newsletter/subscribe",
        data={
            "csrf_token": token,
            "email": email,
            "name": "Ines",
            "source": "footer",
            "topics": ["limited", "journal"],
            "next": f"{ROOT}/",
            **extra,
        },
    )


async def test_double_opt_in_from_the_form(client, db, runtime):
    response = await footer_subscribe(client, "Ines@Example.com")
    assert response.status_code == 303 and response.headers["location"] == f"{ROOT}/"
    sub = await subscriber(db, "ines@example.com")
    assert sub.status == "pending" and sub.source == "footer"
    assert sub.preferences == {"essences": False, "limited": True, "journal": True}
    # Pending is not subscribed: not counted active, not exported.
    assert (await service.counts(db)).active == 0
    assert await service.active_subscribers(db) == []
    [mail] = await emails_to(db, "ines@example.com")
    token = link_in(mail.text_body, "newsletter/confirm")
    page = await client.get(f"{ROOT}/newsletter/confirm", params={"token": token})
    assert page.status_code == 200 and "confirmed" in page.text
    sub = await subscriber(db, "ines@example.com")
    assert sub.status == "active" and sub.confirmed_at is not None
    assert [s.email for s in await service.active_subscribers(db)] == ["ines@example.com"]
    welcome = (await emails_to(db, "ines@example.com"))[-1]
    assert "newsletter/unsubscribe?token=" in welcome.text_body
    assert "newsletter/unsubscribe?token=" in welcome.html_body


async def test_forged_or_expired_confirmation_refused(client, db, runtime):
    await footer_subscribe(client, "ines@example.com")
    sub = await subscriber(db, "ines@example.com")
    good = service.confirm_token(runtime, sub)
    sub_id, expires, signature = good.split(".")
    forged = f"{sub_id}.{int(expires) + 999999}.{signature}"
    other = f"{int(sub_id) + 1}.{expires}.{signature}"
    for token in (forged, other, "garbage", ""):
        page = await client.get(f"{ROOT}/newsletter/confirm", params={"token": token})
        assert page.status_code == 400
    old = service.confirm_token(runtime, sub, now=time.time() - 49 * 3600)
    assert (
        await client.get(f"{ROOT}/newsletter/confirm", params={"token": old})
    ).status_code == 400
    assert (await subscriber(db, "ines@example.com")).status == "pending"


async def test_same_answer_whether_or_not_the_address_exists(client, db, runtime):
    await service.subscribe(db, runtime, email="known@example.com")
    sub = await subscriber(db, "known@example.com")
    await service.confirm(db, runtime, service.confirm_token(runtime, sub))
    token = await csrf_from(client, f"{ROOT}/newsletter")
    answers = []
    for email in ("known@example.com", "unknown@example.com"):
        r = await client.post(
            f"{ROOT}/newsletter/subscribe", data={"csrf_token": token, "email": email}
        )
        answers.append((r.status_code, r.text.replace(email, "X")))
    assert answers[0] == answers[1]
    api = [
        await client.post(f"{ROOT}/api/v1/newsletter", json={"email": e})
        for e in ("known@example.com", "nobody@example.com")
    ]
    assert [r.status_code for r in api] == [202, 202] and api[0].json() == api[1].json()


async def test_unsubscribe_one_click_then_resubscribe_needs_opt_in_again(client, db, runtime):
    await service.subscribe(db, runtime, email="ines@example.com", source="api")
    sub = await subscriber(db, "ines@example.com")
    first_link = service.confirm_token(runtime, sub)
    await service.confirm(db, runtime, first_link)
    token = link_in(
        (await emails_to(db, "ines@example.com"))[-1].text_body, "newsletter/unsubscribe"
    )
    page = await client.get(f"{ROOT}/newsletter/unsubscribe", params={"token": token})
    assert page.status_code == 200 and "Unsubscribe" in page.text
    assert (await subscriber(db, "ines@example.com")).status == "active"  # GET changes nothing
    csrf = await csrf_from(client, f"{ROOT}/newsletter")
    done = await client.post(
        f"{ROOT}/newsletter/unsubscribe", data={"csrf_token": csrf, "token": token}
    )
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert (await subscriber(db, "ines@example.com")).status == "unsubscribed"
    # The old confirmation link cannot bring them back.
    assert (
        await client.get(f"{ROOT}/newsletter/confirm", params={"token": first_link})
    ).status_code == 400
    await footer_subscribe(client, "ines@example.com")
    assert (await subscriber(db, "ines@example.com")).status == "pending"
    fresh = link_in((await emails_to(db, "ines@example.com"))[-1].text_body, "newsletter/confirm")
    await client.get(f"{ROOT}/newsletter/confirm", params={"token": fresh})
    assert (await subscriber(db, "ines@example.com")).status == "active"


async def test_forged_unsubscribe_token_refused(client, db, runtime):
    await service.subscribe(db, runtime, email="ines@example.com")
    sub = await subscriber(db, "ines@example.com")
    csrf = await csrf_from(client, f"{ROOT}/newsletter")
    r = await client.post(
        f"{ROOT}/newsletter/unsubscribe", data={"csrf_token": csrf, "token": f"{sub.id}.deadbeef"}
    )
    assert r.status_code == 400
    r = await client.post(f"{ROOT}/newsletter/unsubscribe", data={"token": "x"})
    assert r.status_code == 403  # no CSRF token


async def test_newsletters_only_go_to_active_subscribers(db, runtime):
    await service.subscribe(db, runtime, email="ines@example.com")
    sub = await subscriber(db, "ines@example.com")
    with pytest.raises(Exception, match="confirmed"):
        await service.send_to_subscriber(
            db, runtime, sub, subject="Hi", template="newsletter/emails/welcome", context={}
        )


async def test_invalid_email_is_shown_in_the_form(client, db):
    token = await csrf_from(client, f"{ROOT}/newsletter")
    r = await client.post(
        f"{ROOT}/newsletter/subscribe", data={"csrf_token": token, "email": "not-an-address"}
    )
    assert r.status_code == 422 and "field-error" in r.text
    assert (await service.counts(db)).by_status["pending"] == 0


async def test_rate_limited(client, db, runtime):
    rule = runtime.settings.rate_limit_newsletter
    allowed = int(rule.split("/")[0])
    codes = [
        (
            await client.post(f"{ROOT}/api/v1/newsletter", json={"email": f"a{n}@example.com"})
        ).status_code
        for n in range(allowed + 1)
    ]
    assert codes[:allowed] == [202] * allowed and codes[-1] == 429
    assert (await service.counts(db)).by_status["pending"] == allowed


async def test_account_page_subscribe_preferences_unsubscribe(client, db, runtime, make_user):
    await make_user("clara@example.com", name="Clara")
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/newsletter")
    r = await client.post(
        f"{ROOT}/account/newsletter",
        data={"csrf_token": token, "action": "subscribe", "topics": ["essences"]},
    )
    assert r.status_code == 303
    sub = await subscriber(db, "clara@example.com")
    assert sub.status == "pending" and sub.source == "account" and sub.user_id is not None
    await service.confirm(db, runtime, service.confirm_token(runtime, sub))
    await client.post(
        f"{ROOT}/account/newsletter",
        data={"csrf_token": token, "action": "preferences", "topics": ["journal"]},
    )
    assert (await subscriber(db, "clara@example.com")).preferences["journal"] is True
    await client.post(
        f"{ROOT}/account/newsletter", data={"csrf_token": token, "action": "unsubscribe"}
    )
    assert (await subscriber(db, "clara@example.com")).status == "unsubscribed"


async def test_admin_list_counts_and_export_of_active_only(client, db, runtime, make_user):
    await make_user("admin@example.com", role_names=("admin",))
    await make_user("shopper@example.com")
    for email in ("a@example.com", "b@example.com", "=cmd@example.com"):
        await service.subscribe(db, runtime, email=email, name="=HYPERLINK()")
    for email in ("a@example.com", "=cmd@example.com"):
        sub = await subscriber(db, email)
        await service.confirm(db, runtime, service.confirm_token(runtime, sub))
    await signin_as(client, "shopper@example.com")
    assert (await client.get(f"{ROOT}/admin/newsletter/export.csv")).status_code == 403
    await signin_as(client, "admin@example.com")
    page = await client.get(f"{ROOT}/admin/newsletter", params={"status": "pending"})
    assert (
        page.status_code == 200
        and "b@example.com" in page.text
        and "a@example.com" not in page.text
    )
    export = await client.get(f"{ROOT}/admin/newsletter/export.csv")
    assert export.status_code == 200
    lines = export.text.strip().splitlines()
    assert len(lines) == 3 and "b@example.com" not in export.text
    assert "'=cmd@example.com" in export.text and "'=HYPERLINK()" in export.text
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "newsletter.export"))
    assert entry is not None and entry.after["rows"] == 2
