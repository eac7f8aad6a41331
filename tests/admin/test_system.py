"""Admin platform pages: email outbox, jobs, settings, audit log, API keys."""

from __future__ import annotations

from sqlalchemy import select
from tests.admin.conftest import ADMIN, admin_csrf

from mercato.admin.settings_service import store_settings
from mercato.models import ApiKey, AuditEntry, EmailMessage, OutboxEvent, StoreSetting
from mercato.platform import audit

HOSTILE_HTML = '<p>Hello</p><script>alert("x")</script><img src="https://tracker.example/p.gif">'


async def _email(db, **fields) -> EmailMessage:
    message = EmailMessage(
        to_address=fields.pop("to_address", "reader@example.test"),
        subject=fields.pop("subject", "Confirm your email"),
        text_body=fields.pop(
            "text_body",
            "Welcome!\nConfirm: http://testserver/atelier-arome/account/verify?t=abc123\n",
        ),
        html_body=fields.pop("html_body", HOSTILE_HTML),
        status=fields.pop("status", "kept"),
        **fields,
    )
    db.add(message)
    await db.flush()
    return message


async def test_email_html_is_served_alone_under_a_strict_csp(admin_client, db):
    # Given a kept email whose HTML carries a script and a remote tracker
    message = await _email(db)
    # when the admin opens it
    page = await admin_client.get(f"{ADMIN}/emails/{message.id}")
    # then the admin page never contains the raw HTML: it frames it in a sandbox
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert (
        f'<iframe class="email-frame" sandbox src="{ADMIN}/emails/{message.id}/html"' in page.text
    )
    # and shows the text body with its link clickable.
    assert "<pre" in page.text and "Welcome!" in page.text
    link = "http://testserver/atelier-arome/account/verify?t=abc123"
    assert f'href="{link}"' in page.text
    # The framed HTML answers with a CSP that allows no script, no remote load, own framing.
    html = await admin_client.get(f"{ADMIN}/emails/{message.id}/html")
    assert html.status_code == 200
    csp = html.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert "frame-ancestors 'self'" in csp and "script-src" not in csp
    assert html.headers["x-frame-options"] == "SAMEORIGIN"
    assert len(html.headers.get_list("content-security-policy")) == 1


async def test_email_list_filters_by_status_and_recipient(admin_client, db):
    # Given emails to two people in two states
    await _email(db, to_address="ann@example.test", subject="For Ann", status="kept")
    await _email(db, to_address="bob@example.test", subject="For Bob", status="failed")
    # when filtered by status, then only that status is listed
    failed = await admin_client.get(f"{ADMIN}/emails", params={"status": "failed"})
    assert "For Bob" in failed.text and "For Ann" not in failed.text
    # and by recipient, case-insensitively.
    ann = await admin_client.get(f"{ADMIN}/emails", params={"to": "ANN@"})
    assert "For Ann" in ann.text and "For Bob" not in ann.text


async def test_staff_without_email_permission_cannot_read_emails(client, db, roles):
    from tests.admin.conftest import make_user, sign_in_as

    # Given a staff member whose role lacks platform.email.read
    roles["staff"].permissions = ["admin.access"]
    await db.flush()
    staff = await make_user(db, roles, "nomail@example.test", ["staff"])
    message = await _email(db)
    await sign_in_as(client, db, staff)
    # when they open the email or its HTML, then they are refused.
    assert (await client.get(f"{ADMIN}/emails/{message.id}")).status_code == 403
    assert (await client.get(f"{ADMIN}/emails/{message.id}/html")).status_code == 403


async def test_retry_dead_job(admin_client, db):
    # Given a dead-lettered event
    dead = OutboxEvent(
        event_type="email.send", payload={}, status="dead", attempts=8, last_error="SMTP said no"
    )
    db.add(dead)
    await db.flush()
    page = await admin_client.get(f"{ADMIN}/jobs")
    assert "SMTP said no" in page.text and "email.send" in page.text
    token = await admin_csrf(admin_client, f"{ADMIN}/jobs")
    # when the admin retries it
    response = await admin_client.post(f"{ADMIN}/jobs/{dead.id}/retry", data={"csrf_token": token})
    # then it is pending again with fresh attempts, and the retry is audited
    assert response.status_code == 303
    await db.refresh(dead)
    assert dead.status == "pending" and dead.attempts == 0
    rows = await db.scalars(select(AuditEntry).where(AuditEntry.action == "job.retry"))
    assert [r.entity_id for r in rows] == [str(dead.id)]
    # and retrying it again (double click) is a 404, not a second reset.
    again = await admin_client.post(f"{ADMIN}/jobs/{dead.id}/retry", data={"csrf_token": token})
    assert again.status_code == 404


async def test_jobs_page_empty_state(admin_client):
    page = await admin_client.get(f"{ADMIN}/jobs")
    assert "No dead-lettered jobs — everything was delivered." in page.text


async def test_settings_save_and_audit(admin_client, db, runtime):
    # Given the defaults from store.toml
    page = await admin_client.get(f"{ADMIN}/settings")
    assert runtime.config.name in page.text
    token = await admin_csrf(admin_client, f"{ADMIN}/settings")
    # when the admin sets a banner and a phone
    response = await admin_client.post(
        f"{ADMIN}/settings",
        data={
            "csrf_token": token,
            "display_name": runtime.config.name,
            "tagline": runtime.config.tagline,
            "contact_email": "hello@atelier.test",
            "support_phone": "+33 1 23 45 67 89",
            "announcement": "Free shipping this week",
        },
    )
    # then they are stored, and the audit row holds only what changed.
    assert response.status_code == 303, response.text[:500]
    values = await store_settings(db, runtime.config)
    assert values["announcement"] == "Free shipping this week"
    assert values["support_phone"] == "+33 1 23 45 67 89"
    assert (await store_settings(db))["announcement"] == "Free shipping this week"
    (row,) = await db.scalars(select(AuditEntry).where(AuditEntry.action == "settings.update"))
    assert set(row.after) == {"contact_email", "support_phone", "announcement"}
    assert row.before["announcement"] == ""


async def test_settings_validation_error_changes_nothing(admin_client, db, runtime):
    # Given the settings form
    token = await admin_csrf(admin_client, f"{ADMIN}/settings")
    # when the banner is too long, the name empty and the email malformed
    response = await admin_client.post(
        f"{ADMIN}/settings",
        data={
            "csrf_token": token,
            "display_name": "",
            "tagline": "Fine",
            "contact_email": "not-an-email",
            "support_phone": "",
            "announcement": "x" * 201,
        },
    )
    # then each field says what is wrong, the input is kept, and nothing is stored.
    assert response.status_code == 422
    assert "Display name is required." in response.text
    assert "at most 200 characters (it has 201)" in response.text
    assert "Enter an email address" in response.text
    assert 'value="not-an-email"' in response.text
    assert (await db.scalars(select(StoreSetting))).all() == []
    assert (await db.scalars(select(AuditEntry))).all() == []


async def test_audit_log_shows_changes_and_filters(admin_client, db, admin):
    # Given two audit rows
    await audit.record(
        db,
        actor=admin,
        action="user.block",
        entity_type="user",
        entity_id=7,
        before={"blocked": False, "reason": "x"},
        after={"blocked": True, "reason": "x"},
    )
    await audit.record(
        db,
        actor=None,
        action="settings.update",
        entity_type="store_settings",
        before={"tagline": "Old"},
        after={"tagline": "New"},
    )
    # when the admin opens the audit log
    page = await admin_client.get(f"{ADMIN}/audit")
    # then both show, with just the changed keys
    assert page.status_code == 200
    assert "<code>user.block</code>" in page.text and "<code>settings.update</code>" in page.text
    assert '<span class="diff-key">blocked</span>' in page.text
    assert '<span class="diff-key">reason</span>' not in page.text
    # and filters narrow them.
    only_users = await admin_client.get(f"{ADMIN}/audit", params={"entity": "user:7"})
    assert (
        "<code>user.block</code>" in only_users.text
        and "<code>settings.update</code>" not in only_users.text
    )
    by_action = await admin_client.get(f"{ADMIN}/audit", params={"action": "settings"})
    assert (
        "<code>settings.update</code>" in by_action.text
        and "<code>user.block</code>" not in by_action.text
    )
    by_actor = await admin_client.get(f"{ADMIN}/audit", params={"actor": "BOSS@"})
    assert (
        "<code>user.block</code>" in by_actor.text
        and "<code>settings.update</code>" not in by_actor.text
    )


async def test_api_key_is_shown_once_and_can_be_revoked(admin_client, db):
    # Given the API keys page
    token = await admin_csrf(admin_client, f"{ADMIN}/api-keys")
    # when the admin creates a key with one scope
    created = await admin_client.post(
        f"{ADMIN}/api-keys",
        data={"csrf_token": token, "name": "Warehouse sync", "scopes": ["identity.user.read"]},
    )
    # then the full key is in that response only
    assert created.status_code == 200, created.text[:500]
    key = await db.scalar(select(ApiKey).where(ApiKey.name == "Warehouse sync"))
    assert key is not None and key.scopes == ["identity.user.read"]
    assert f"mk_{key.prefix}_" in created.text and "will not be shown again" in created.text
    listing = await admin_client.get(f"{ADMIN}/api-keys")
    assert "Warehouse sync" in listing.text and "will not be shown again" not in listing.text
    # and revoking it marks it revoked; both steps are audited.
    revoked = await admin_client.post(
        f"{ADMIN}/api-keys/{key.id}/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 303
    await db.refresh(key)
    assert key.revoked_at is not None
    actions = set(await db.scalars(select(AuditEntry.action)))
    assert {"apikey.create", "apikey.revoke"} <= actions


async def test_api_key_form_errors(admin_client, db):
    token = await admin_csrf(admin_client, f"{ADMIN}/api-keys")
    # A key needs a name and known scopes; a made-up scope is refused.
    response = await admin_client.post(
        f"{ADMIN}/api-keys", data={"csrf_token": token, "name": "X", "scopes": ["root.everything"]}
    )
    assert response.status_code == 422
    assert "Choose permissions from the list." in response.text
    nameless = await admin_client.post(
        f"{ADMIN}/api-keys",
        data={"csrf_token": token, "name": "", "scopes": ["identity.user.read"]},
    )
    assert nameless.status_code == 422
    assert (await db.scalars(select(ApiKey))).all() == []


async def test_saved_display_name_and_banner_show_on_the_storefront(client, db, runtime):
    # Given an admin saved a display name and an announcement
    from mercato.models import StoreSetting

    db.add(StoreSetting(key="display_name", value="Atelier Arôme Paris"))
    db.add(StoreSetting(key="announcement", value="Distillery closed 24–26 December"))
    await db.commit()
    # When a shopper opens the home page
    page = await client.get("/atelier-arome/")
    # Then both appear, and the store.toml name is no longer the title
    assert "Atelier Arôme Paris" in page.text
    assert "Distillery closed 24–26 December" in page.text
