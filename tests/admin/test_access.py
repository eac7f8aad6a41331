"""Who may open the admin, and what the shell shows them."""

from __future__ import annotations

from tests.admin.conftest import ADMIN, make_user, sign_in_as


async def test_anonymous_visitor_is_asked_to_sign_in(client):
    # Given nobody signed in, when they open the admin
    response = await client.get(ADMIN)
    # then they are sent to sign in (or refused as unauthenticated), never shown the admin.
    assert response.status_code in (401, 303, 302), response.status_code
    if response.status_code != 401:
        assert "/account/signin" in response.headers["location"]
    assert "admin-nav" not in response.text


async def test_customer_without_staff_role_gets_403(client, db, roles):
    # Given a signed-in customer
    customer = await make_user(db, roles, "cust@example.test", ["customer"])
    await sign_in_as(client, db, customer)
    # when they open the admin or one of its pages, then they are refused.
    for url in (ADMIN, f"{ADMIN}/users", f"{ADMIN}/emails", f"{ADMIN}/settings"):
        response = await client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert "admin-nav" not in response.text


async def test_admin_sees_every_section_with_current_one_marked(admin_client):
    # Given an admin, when they open the users page
    page = await admin_client.get(f"{ADMIN}/users")
    # then the side navigation lists every section and marks Users as current.
    assert page.status_code == 200
    for label in (
        "Dashboard",
        "Users",
        "API keys",
        "Audit log",
        "Email outbox",
        "Jobs",
        "Settings",
    ):
        assert f">{label}</a>" in page.text
    assert f'href="{ADMIN}/users" aria-current="page"' in page.text
    assert "static/admin.css" in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_staff_nav_shows_only_permitted_sections(client, db, roles):
    # Given a staff member (users read + email read, nothing else)
    staff = await make_user(db, roles, "staff@example.test", ["staff"])
    await sign_in_as(client, db, staff)
    # when they open the dashboard
    page = await client.get(ADMIN)
    # then only the sections they may use are in the navigation
    assert page.status_code == 200
    assert ">Users</a>" in page.text and ">Email outbox</a>" in page.text
    for hidden in ("Jobs", "Settings", "API keys", "Audit log"):
        assert f">{hidden}</a>" not in page.text
    # and the pages themselves refuse them.
    assert (await client.get(f"{ADMIN}/jobs")).status_code == 403
    assert (await client.get(f"{ADMIN}/settings")).status_code == 403
