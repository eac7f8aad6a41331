"""A bearer API request reads its caller once: ``GET /auth/me`` is two statements (the
active user of a live sign-in, then roles with their permissions), whatever the roles."""

from __future__ import annotations

from sqlalchemy import event

from mercato.platform.seeding import ensure_user, sync_roles

API = "/atelier-arome/api/v1"
PASSWORD = "Copper-Kettle-Meadow-77"
IGNORED = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


async def test_me_reads_the_user_and_the_roles_in_two_statements(client, db, runtime):
    roles = await sync_roles(db, runtime.modules)
    await ensure_user(
        db,
        roles,
        email="budget@example.com",
        password=PASSWORD,
        name="Budget",
        role_names=["customer", "staff"],
    )
    await db.flush()
    pair = await client.post(
        f"{API}/auth/token", json={"email": "budget@example.com", "password": PASSWORD}
    )
    assert pair.status_code == 200, pair.text
    headers = {"Authorization": f"Bearer {pair.json()['access_token']}"}
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(IGNORED):
            statements.append(statement)

    event.listen(runtime.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        me = await client.get(f"{API}/auth/me", headers=headers)
    finally:
        event.remove(runtime.db.engine.sync_engine, "before_cursor_execute", count)
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["roles"] == ["customer", "staff"] and body["via"] == "token"
    assert body["permissions"] == sorted(body["permissions"]) and body["permissions"]
    assert len(statements) <= 2, statements
