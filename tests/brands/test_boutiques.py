"""Boutique sign-up and approval: a buyer applies with the boutique's details, reviewers hear
of it, an admin approves (the buyer becomes an approved buyer, told by notification and
email) or rejects with a reason; a pending buyer cannot reach the admin queue."""

from __future__ import annotations

from sqlalchemy import select

from mercato.brands import access
from mercato.models import EmailMessage, Notification
from mercato.models.brands import Boutique
from tests.brands.conftest import PASSWORD, ROOT, STORE
from tests.helpers import csrf_from, signin


async def test_apply_then_admin_approves(client, qdb, make_user):
    admin = await make_user("admin", "admin")
    buyer = await make_user("shop", "customer")
    await signin(client, STORE, buyer.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/boutique")
    # Invalid: no country, a bad website
    bad = await client.post(
        f"{ROOT}/boutique",
        data={"csrf_token": token, "name": "Casa", "city": "Dubai", "website": "casa"},
    )
    assert bad.status_code == 422
    assert "Choose a country." in bad.text and "https://" in bad.text
    good = await client.post(
        f"{ROOT}/boutique",
        data={
            "csrf_token": token,
            "name": "Casa Alma",
            "city": "Dubai",
            "country": "AE",
            "instagram": "@casa.alma",
        },
    )
    assert good.status_code == 303
    boutique = await qdb.scalar(select(Boutique).where(Boutique.user_id == buyer.id))
    assert boutique.status == "pending" and boutique.instagram == "casa.alma"
    assert not await access.is_approved_buyer(qdb, buyer.id)
    # the admin hears of it
    told = await qdb.scalar(select(Notification).where(Notification.user_id == admin.id))
    assert told is not None and "Casa Alma" in told.title
    # a pending buyer cannot open the admin queue
    assert (await client.get(f"{ROOT}/admin/brands/boutiques")).status_code in (403, 404)

    # When the admin approves
    client.cookies.clear()
    await signin(client, STORE, admin.email, PASSWORD)
    queue = await client.get(f"{ROOT}/admin/brands/boutiques")
    assert "Casa Alma" in queue.text
    token = await csrf_from(client, f"{ROOT}/admin/brands/boutiques/{boutique.id}")
    decided = await client.post(
        f"{ROOT}/admin/brands/boutiques/{boutique.id}/approve", data={"csrf_token": token}
    )
    assert decided.status_code == 303
    # Then the buyer is approved and told by email
    await qdb.refresh(boutique)
    assert boutique.status == "approved" and boutique.reviewed_by == admin.id
    assert await access.is_approved_buyer(qdb, buyer.id)
    mail = await qdb.scalar(select(EmailMessage).where(EmailMessage.to_address == buyer.email))
    assert mail is not None and "approved" in mail.subject


async def test_reject_needs_a_reason_and_a_rejected_boutique_can_apply_again(
    client, qdb, make_user, make_buyer
):
    admin = await make_user("admin", "admin")
    buyer = await make_buyer("pending")
    boutique = await qdb.scalar(select(Boutique).where(Boutique.user_id == buyer.id))
    await signin(client, STORE, admin.email, PASSWORD)
    token = await csrf_from(client, f"{ROOT}/admin/brands/boutiques/{boutique.id}")
    empty = await client.post(
        f"{ROOT}/admin/brands/boutiques/{boutique.id}/reject",
        data={"csrf_token": token, "reason": " "},
    )
    assert empty.status_code == 303
    await qdb.refresh(boutique)
    assert boutique.status == "pending"
    rejected = await client.post(
        f"{ROOT}/admin/brands/boutiques/{boutique.id}/reject",
        data={"csrf_token": token, "reason": "We could not find your shop online."},
    )
    assert rejected.status_code == 303
    await qdb.refresh(boutique)
    assert boutique.status == "rejected" and "find your shop" in boutique.reason
    # The buyer corrects the details: back to pending
    client.cookies.clear()
    await signin(client, STORE, buyer.email, PASSWORD)
    page = await client.get(f"{ROOT}/boutique")
    assert "find your shop" in page.text
    token = await csrf_from(client, f"{ROOT}/boutique")
    again = await client.post(
        f"{ROOT}/boutique",
        data={
            "csrf_token": token,
            "name": "Test Boutique",
            "city": "Oslo",
            "country": "NO",
            "website": "https://shop.example",
        },
    )
    assert again.status_code == 303
    await qdb.refresh(boutique)
    assert boutique.status == "pending" and boutique.reason == ""
