"""Admin users: search, pagination, roles, blocking, sessions; every change audited."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import event, func, select
from tests.admin.conftest import ADMIN, STORE, admin_csrf, make_user, sign_in_as

from mercato.identity import service as identity_service
from mercato.identity.sessions import list_sessions, start_session
from mercato.kit.time import utcnow
from mercato.models import AuditEntry, User, UserRole, WebSession


async def _audit_rows(db, action: str, entity_id: int) -> list[AuditEntry]:
    return list(
        await db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.entity_id == str(entity_id)
            )
        )
    )


async def _add_customers(db, roles, count: int, *, prefix: str = "shopper") -> list[User]:
    """Many customers fast: no password hashing, one flush."""
    start = utcnow() - timedelta(days=1)
    users = [
        User(
            email=f"{prefix}{i:02d}@example.test",
            name=f"Shopper {i:02d}",
            created_at=start + timedelta(minutes=i),
            updated_at=start,
        )
        for i in range(count)
    ]
    db.add_all(users)
    await db.flush()
    db.add_all(UserRole(user_id=u.id, role_id=roles["customer"].id) for u in users)
    await db.flush()
    return users


async def test_admin_blocks_user_who_is_then_signed_out(app, client, db, roles, admin):
    # Given a customer signed in in their own browser (their profile opens)
    customer = await make_user(db, roles, "victim@example.test", ["customer"])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        await sign_in_as(browser, db, customer)
        before = await browser.get(f"/{STORE}/account/profile")
        assert before.status_code == 200 and "victim@example.test" in before.text
        # and an admin in another browser
        await sign_in_as(client, db, admin)
        token = await admin_csrf(client, f"{ADMIN}/users/{customer.id}")
        # when the admin blocks the customer with a reason
        response = await client.post(
            f"{ADMIN}/users/{customer.id}/block",
            data={"csrf_token": token, "reason": "Chargebacks"},
        )
        # then the account is blocked and the customer's next request is not signed in
        assert response.status_code == 303, response.text[:500]
        await db.refresh(customer)
        assert customer.blocked_at is not None and customer.blocked_reason == "Chargebacks"
        assert await list_sessions(db, customer.id) == []
        after = await browser.get(f"/{STORE}/account/profile")
        assert after.status_code != 200
        assert "victim@example.test" not in after.text
    # and the audit log records who did it, before and after.
    rows = await _audit_rows(db, "user.block", customer.id)
    assert len(rows) == 1
    assert rows[0].actor_id == admin.id
    assert rows[0].before["blocked"] is False and rows[0].after["blocked"] is True


async def test_block_requires_a_reason(admin_client, db, roles):
    # Given a customer, when the admin submits the block form without a reason
    customer = await make_user(db, roles, "noreason@example.test", ["customer"])
    token = await admin_csrf(admin_client, f"{ADMIN}/users/{customer.id}")
    response = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/block", data={"csrf_token": token, "reason": "   "}
    )
    # then the page says so next to the field and nothing changes.
    assert response.status_code == 422
    assert "Give a reason" in response.text
    await db.refresh(customer)
    assert customer.blocked_at is None
    assert await _audit_rows(db, "user.block", customer.id) == []


async def test_admin_cannot_block_self(admin_client, db, admin):
    # Given a signed-in admin, when they try to block their own account
    token = await admin_csrf(admin_client, f"{ADMIN}/users/{admin.id}")
    response = await admin_client.post(
        f"{ADMIN}/users/{admin.id}/block", data={"csrf_token": token, "reason": "oops"}
    )
    # then it is refused with a message, and they are still signed in.
    assert response.status_code == 409
    assert "cannot block your own account" in response.text
    await db.refresh(admin)
    assert admin.blocked_at is None
    assert (await admin_client.get(ADMIN)).status_code == 200


async def test_staff_without_write_permission_cannot_block(client, db, roles):
    # Given a staff member who may read users but not change them
    staff = await make_user(db, roles, "reader@example.test", ["staff"])
    customer = await make_user(db, roles, "target@example.test", ["customer"])
    await sign_in_as(client, db, staff)
    page = await client.get(f"{ADMIN}/users/{customer.id}")
    assert page.status_code == 200
    assert "Block account" not in page.text  # the form is not offered
    token = await admin_csrf(client, f"{ADMIN}/users")
    # when they post the block form anyway
    response = await client.post(
        f"{ADMIN}/users/{customer.id}/block", data={"csrf_token": token, "reason": "Because"}
    )
    # then they are refused and nothing changes.
    assert response.status_code == 403
    await db.refresh(customer)
    assert customer.blocked_at is None
    assert await _audit_rows(db, "user.block", customer.id) == []


async def test_missing_csrf_token_on_admin_post_changes_nothing(admin_client, db, roles):
    # Given an admin with a valid session and CSRF cookie
    customer = await make_user(db, roles, "csrf@example.test", ["customer"])
    await admin_csrf(admin_client)
    # when a block request arrives without the token (a forged cross-site form)
    response = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/block", data={"reason": "forged"}
    )
    forged = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/block", data={"reason": "forged", "csrf_token": "x" * 40}
    )
    # then both are refused and the customer is untouched.
    assert response.status_code == 403 and forged.status_code == 403
    await db.refresh(customer)
    assert customer.blocked_at is None
    assert await _audit_rows(db, "user.block", customer.id) == []


async def test_unblock(admin_client, db, roles):
    # Given a blocked customer
    customer = await make_user(db, roles, "blocked@example.test", ["customer"])
    await identity_service.block_user(db, customer, reason="test")
    token = await admin_csrf(admin_client, f"{ADMIN}/users/{customer.id}")
    # when the admin unblocks them
    response = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/unblock", data={"csrf_token": token}
    )
    # then they may sign in again and the change is audited.
    assert response.status_code == 303
    await db.refresh(customer)
    assert customer.blocked_at is None and customer.blocked_reason == ""
    assert len(await _audit_rows(db, "user.unblock", customer.id)) == 1


async def test_admin_assigns_roles(admin_client, db, roles):
    # Given a customer, when the admin gives them the staff role (keeping customer)
    customer = await make_user(db, roles, "promote@example.test", ["customer"])
    token = await admin_csrf(admin_client, f"{ADMIN}/users/{customer.id}")
    response = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/roles",
        data={"csrf_token": token, "roles": ["customer", "staff"]},
    )
    # then the roles are exactly those, and the audit row shows the change.
    assert response.status_code == 303, response.text[:500]
    assert await identity_service.role_names_of(db, customer.id) == ["customer", "staff"]
    (row,) = await _audit_rows(db, "user.roles", customer.id)
    assert row.before == {"roles": ["customer"]}
    assert row.after == {"roles": ["customer", "staff"]}


async def test_admin_cannot_remove_own_admin_role(admin_client, db, admin):
    # Given a signed-in admin, when they submit their own roles without "admin"
    token = await admin_csrf(admin_client, f"{ADMIN}/users/{admin.id}")
    response = await admin_client.post(
        f"{ADMIN}/users/{admin.id}/roles", data={"csrf_token": token, "roles": ["staff"]}
    )
    # then it is refused with a clear message and they keep the role.
    assert response.status_code == 409
    assert "cannot remove your own admin role" in response.text
    assert "admin" in await identity_service.role_names_of(db, admin.id)


async def test_user_with_write_but_not_everything_cannot_grant_admin(client, db, roles):
    # Given a manager role holding user read/write but not every permission
    roles["staff"].permissions = [*roles["staff"].permissions, "identity.user.write"]
    await db.flush()
    manager = await make_user(db, roles, "manager@example.test", ["staff"])
    await sign_in_as(client, db, manager)
    token = await admin_csrf(client, f"{ADMIN}/users/{manager.id}")
    # when they try to make themselves admin
    response = await client.post(
        f"{ADMIN}/users/{manager.id}/roles",
        data={"csrf_token": token, "roles": ["staff", "admin"]},
    )
    # then it is refused: nobody hands out permissions they do not hold.
    assert response.status_code == 403
    assert await identity_service.role_names_of(db, manager.id) == ["staff"]


async def test_end_one_session_and_all_sessions(admin_client, db, roles):
    # Given a customer signed in on two browsers and a stranger with one session
    customer = await make_user(db, roles, "twodevices@example.test", ["customer"])
    other = await make_user(db, roles, "other@example.test", ["customer"])
    await start_session(db, customer, days=1)
    await start_session(db, customer, days=1)
    await start_session(db, other, days=1)
    first, second = await list_sessions(db, customer.id)
    (others,) = await list_sessions(db, other.id)
    token = await admin_csrf(admin_client, f"{ADMIN}/users/{customer.id}")
    # when the admin tries to end the stranger's session through the customer's URL
    wrong = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/sessions/{others.id}/revoke", data={"csrf_token": token}
    )
    # then nothing happens to it;
    assert wrong.status_code == 404
    assert len(await list_sessions(db, other.id)) == 1
    # ending one of the customer's sessions leaves the other;
    one = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/sessions/{first.id}/revoke", data={"csrf_token": token}
    )
    assert one.status_code == 303
    assert [s.id for s in await list_sessions(db, customer.id)] == [second.id]
    # ending all leaves none, and both actions are audited.
    every = await admin_client.post(
        f"{ADMIN}/users/{customer.id}/sessions/revoke-all", data={"csrf_token": token}
    )
    assert every.status_code == 303
    assert await list_sessions(db, customer.id) == []
    assert len(await _audit_rows(db, "user.session.revoke", customer.id)) == 1
    assert len(await _audit_rows(db, "user.session.revoke_all", customer.id)) == 1


async def test_search_filter_and_pagination(admin_client, db, roles):
    # Given 30 customers, one of them blocked, and one with a distinctive name
    users = await _add_customers(db, roles, 30)
    users[3].name = "Zelda Quintero"
    users[4].blocked_at = utcnow()
    await db.flush()
    # when the admin lists users: 25 per page with the total, newest first
    first = await admin_client.get(f"{ADMIN}/users", params={"role": "customer"})
    assert first.status_code == 200
    assert "1–25 of 30" in first.text
    assert "shopper29@example.test" in first.text and "shopper00@example.test" not in first.text
    second = await admin_client.get(f"{ADMIN}/users", params={"role": "customer", "page": 2})
    assert "26–30 of 30" in second.text and "shopper00@example.test" in second.text
    # sorted oldest first, the first page starts at the oldest
    oldest = await admin_client.get(
        f"{ADMIN}/users", params={"role": "customer", "sort": "created"}
    )
    assert "shopper00@example.test" in oldest.text and "shopper29@example.test" not in oldest.text
    # search matches the name case-insensitively, and the email
    by_name = await admin_client.get(f"{ADMIN}/users", params={"q": "zELDA"})
    assert "shopper03@example.test" in by_name.text and "1–1 of 1" in by_name.text
    by_email = await admin_client.get(f"{ADMIN}/users", params={"q": "SHOPPER1"})
    assert "1–10 of 10" in by_email.text
    # a LIKE wildcard is searched literally
    wildcard = await admin_client.get(f"{ADMIN}/users", params={"q": "%"})
    assert "No users match" in wildcard.text
    # the blocked filter finds exactly the blocked one
    blocked = await admin_client.get(f"{ADMIN}/users", params={"blocked": "yes"})
    assert "shopper04@example.test" in blocked.text and "1–1 of 1" in blocked.text
    # nonsense paging falls back to the first page
    assert (await admin_client.get(f"{ADMIN}/users", params={"page": "abc"})).status_code == 200


async def _statements_for(client, runtime, url: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = await client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


async def test_users_list_query_count_does_not_grow_with_rows(admin_client, db, roles, runtime):
    # Given 5 customers, the users page takes some number of statements
    await _add_customers(db, roles, 5, prefix="few")
    await admin_client.get(ADMIN)  # warm up: CSRF cookie, session touch
    few = await _statements_for(admin_client, runtime, f"{ADMIN}/users")
    # when there are 30 (a full page of 25), then it takes the same number: no N+1.
    await _add_customers(db, roles, 25, prefix="many")
    many = await _statements_for(admin_client, runtime, f"{ADMIN}/users")
    assert few == many, (few, many)
    assert many <= 12


async def test_user_detail_of_unknown_user_is_404(admin_client, db):
    missing = (await db.scalar(select(func.max(User.id)))) + 1000
    assert (await admin_client.get(f"{ADMIN}/users/{missing}")).status_code == 404


async def test_dashboard_counts_match_rows(admin_client, db, roles, admin):
    # Given known rows: 3 new customers (1 blocked), a revoked session
    before = await admin_client.get(ADMIN)
    assert before.status_code == 200
    base_users = await db.scalar(select(func.count()).select_from(User))
    base_sessions = await db.scalar(
        select(func.count())
        .select_from(WebSession)
        .where(WebSession.revoked_at.is_(None), WebSession.expires_at > utcnow())
    )
    new = await _add_customers(db, roles, 3, prefix="dash")
    new[0].blocked_at = utcnow()
    await start_session(db, new[1], days=1)
    await db.flush()
    # when the admin opens the dashboard
    page = await admin_client.get(ADMIN)
    # then the figures are the database's.
    assert page.status_code == 200
    assert f'data-count="Users">{base_users + 3}<' in page.text
    assert f'data-count="Active sessions">{base_sessions + 1}<' in page.text
    assert 'data-count="Blocked">1<' in page.text
