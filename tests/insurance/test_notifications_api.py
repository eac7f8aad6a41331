"""The seed's notification endpoints in the cattle-insurance store: mark one read, delete
one (another user's id is a 404 and changes nothing), and the admin's broadcast to every
user or one role (customers and agents are refused)."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.models import Notification, OutboxEvent
from mercato.platform import notifications
from tests.insurance.support import PASSWORD, STORE

API = f"/{STORE}/api/v1"


async def _token(client, email: str) -> dict[str, str]:
    answer = await client.post(f"{API}/auth/token", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_read_and_delete_only_your_own(client, db, customer, make_user):
    mine = await notifications.notify(db, user_id=customer.id, title="Policy approved")
    other = await make_user("neighbour@example.in")
    theirs = await notifications.notify(db, user_id=other.id, title="Claim received")
    headers = await _token(client, customer.email)
    read = await client.patch(f"{API}/notifications/{mine.id}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert (
        await client.patch(f"{API}/notifications/{theirs.id}/read", headers=headers)
    ).status_code == 404
    assert (
        await client.delete(f"{API}/notifications/{theirs.id}", headers=headers)
    ).status_code == 404
    assert (
        await client.delete(f"{API}/notifications/{mine.id}", headers=headers)
    ).status_code == 204
    assert (
        await client.delete(f"{API}/notifications/{mine.id}", headers=headers)
    ).status_code == 404
    assert (await client.delete(f"{API}/notifications/{2**63}", headers=headers)).status_code == 422
    await db.refresh(theirs)
    assert theirs.read_at is None  # untouched by the stranger
    assert (await client.delete(f"{API}/notifications/{theirs.id}")).status_code == 401


async def test_admin_broadcasts_to_a_role_and_others_are_refused(
    client, db, customer, admin, make_user
):
    second = await make_user("second.farmer@example.in")
    agent_like = await make_user("staffer@example.in", role_names=("staff",))
    body = {
        "title": "Monsoon advisory",
        "body": "Vaccinate against HS before June.",
        "role": "customer",
    }
    for email in (customer.email, agent_like.email):
        refused = await client.post(
            f"{API}/notifications/broadcast", json=body, headers=await _token(client, email)
        )
        assert refused.status_code == 403
    before = await db.scalar(select(func.count()).select_from(OutboxEvent))
    sent = await client.post(
        f"{API}/notifications/broadcast", json=body, headers=await _token(client, admin.email)
    )
    assert sent.status_code == 201
    got = set(
        await db.scalars(
            select(Notification.user_id).where(Notification.title == "Monsoon advisory")
        )
    )
    assert {customer.id, second.id} <= got and admin.id not in got and agent_like.id not in got
    assert sent.json()["sent"] == len(got)
    assert await db.scalar(select(func.count()).select_from(OutboxEvent)) == before + len(got)
    everyone = await client.post(
        f"{API}/notifications/broadcast",
        json={"title": "Office closed on Diwali", "link": "https://elsewhere.example/"},
        headers=await _token(client, admin.email),
    )
    assert everyone.status_code == 201 and everyone.json()["sent"] >= 4
    links = set(
        await db.scalars(
            select(Notification.link).where(Notification.title == "Office closed on Diwali")
        )
    )
    assert links == {""}  # an outside link is dropped
    empty = await client.post(
        f"{API}/notifications/broadcast",
        json={"title": ""},
        headers=await _token(client, admin.email),
    )
    assert empty.status_code == 422
