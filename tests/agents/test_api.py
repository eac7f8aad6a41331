"""The agent API under /cattle-insurance/api/v1/agents: registration with KYC, the admin's
approvals, commissions to wallet to withdrawal, and the refusals: wrong role, someone else's
record, no token."""

from __future__ import annotations

import pytest

from mercato.agents import service
from tests.agents.support import PASSWORD, STORE, aadhaar, make_agent, make_chain, make_user

API = f"/{STORE}/api/v1/agents"


async def token(client, email: str) -> dict[str, str]:
    response = await client.post(
        f"/{STORE}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def titles_for(db, email: str) -> list[str]:
    from sqlalchemy import select

    from mercato.models import Notification, User

    return list(
        await db.scalars(
            select(Notification.title)
            .join(User, User.id == Notification.user_id)
            .where(User.email == email)
            .order_by(Notification.id)
        )
    )


async def email_of(db, agent) -> str:
    return (await db.get(service.User, agent.user_id)).email


@pytest.fixture
async def admin(db, runtime, client):
    user = await make_user(db, runtime, "boss@example.com", role_names=("admin",))
    return await token(client, user.email)


KYC = {
    "pan": "ABCPE1234F",
    "aadhaar": aadhaar(4242),
    "bank_name": "Bank of Baroda",
    "account_number": "123456789012",
    "ifsc": "BARB0VJPUNE",
    "phone": "+91 98220 12345",
}


async def test_apply_then_approved_by_the_admin(client, db, runtime, admin):
    # Given a signed-in customer
    user = await make_user(db, runtime, "ravi@example.com")
    headers = await token(client, user.email)
    # When they apply with KYC
    applied = await client.post(f"{API}/register", json=KYC, headers=headers)
    # Then the application is pending and shows KYC only masked
    assert applied.status_code == 201, applied.text
    body = applied.json()
    assert body["status"] == "pending" and body["code"] is None
    assert KYC["pan"] not in applied.text and KYC["account_number"] not in applied.text
    assert body["kyc"]["account_number"].endswith("9012")
    # and the admin is told there is an application to review
    assert await titles_for(db, "boss@example.com") == [
        "New agent application from Agent " + user.name.split()[-1]
    ]
    # and agent-only endpoints refuse them until approved
    assert (await client.get(f"{API}/stats", headers=headers)).status_code == 403
    # When the admin approves
    approved = await client.patch(f"{API}/admin/agents/{body['id']}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    code = approved.json()["code"]
    assert code and code.startswith("AG")
    # Then the same token now opens the agent endpoints
    stats = await client.get(f"{API}/stats", headers=headers)
    assert stats.status_code == 200
    assert stats.json()["wallet"]["balance"] == 0
    # A second application is refused
    again = await client.post(f"{API}/register", json=KYC, headers=headers)
    assert again.status_code == 409


async def test_bad_kyc_is_refused_with_the_field(client, db, runtime):
    user = await make_user(db, runtime)
    headers = await token(client, user.email)
    response = await client.post(
        f"{API}/register", json={**KYC, "ifsc": "BARB1VJPUNE"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ifsc"
    unknown = await client.post(
        f"{API}/register", json={**KYC, "parent_code": "AGZZZZZZ"}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "parent_code"


async def test_sub_agent_registers_with_a_parent_code(client, db, runtime, admin):
    parent = await make_agent(db, runtime)
    user = await make_user(db, runtime)
    headers = await token(client, user.email)
    response = await client.post(
        f"{API}/register", json={**KYC, "parent_code": parent.code}, headers=headers
    )
    assert response.status_code == 201
    assert response.json()["parent_id"] == parent.id and response.json()["level"] == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/agents"),
        ("patch", "/admin/agents/1/approve"),
        ("get", "/admin/commissions"),
        ("post", "/admin/commissions/bulk-approve"),
        ("post", "/admin/commission-settings"),
        ("get", "/admin/withdrawals"),
        ("patch", "/admin/withdrawals/1"),
    ],
)
async def test_admin_endpoints_refuse_agents_and_customers(client, db, runtime, method, path):
    agent = await make_agent(db, runtime)
    customer = await make_user(db, runtime)
    bodies = {
        "/admin/commissions/bulk-approve": {"ids": [1]},
        "/admin/commission-settings": {"rates_bps": [5000]},
        "/admin/withdrawals/1": {"action": "approve", "reference": "X"},
    }
    for email in (await email_of(db, agent), customer.email):
        headers = await token(client, email)
        kwargs = {"json": bodies[path]} if path in bodies else {}
        response = await getattr(client, method)(f"{API}{path}", headers=headers, **kwargs)
        assert response.status_code == 403, (email, path, response.text)
    # and without a token at all
    assert (await getattr(client, method)(f"{API}{path}")).status_code == 401


@pytest.mark.parametrize(
    "path", ["/stats", "/team", "/wallet", "/withdrawals", "/commissions", "/policies"]
)
async def test_agent_endpoints_refuse_customers_and_staff_without_an_agent(
    client, db, runtime, admin, path
):
    customer = await make_user(db, runtime)
    assert (
        await client.get(f"{API}{path}", headers=await token(client, customer.email))
    ).status_code == 403
    # even the admin (every permission) has no agent account to read
    assert (await client.get(f"{API}{path}", headers=admin)).status_code == 403
    assert (await client.get(f"{API}{path}")).status_code == 401


async def test_an_agent_never_reads_another_agents_records(client, db, runtime):
    # Given two separate chains with a commission and a withdrawal each
    mine, my_parent = await make_chain(db, runtime, 2)
    theirs, their_parent = await make_chain(db, runtime, 2)
    records = {}
    for agent, source in ((mine, 1), (theirs, 2)):
        recs = await service.record_sale_commissions(
            db,
            agent_id=agent.id,
            source_type="policy",
            source_id=source,
            base_amount_minor=2_000_000,
            label=f"Policy #{source}",
        )
        await service.approve_commissions(db, None, [r.id for r in recs])
        records[agent.id] = recs[0].id
    from mercato.agents import wallet
    from tests.agents.support import cipher

    their_withdrawal = await wallet.request_withdrawal(db, theirs.id, 60_000, cipher())
    headers = await token(client, await email_of(db, mine))
    # When my agent asks for their records by id
    for path in (
        f"/commissions/{records[theirs.id]}",
        f"/withdrawals/{their_withdrawal.id}",
        f"/team/{theirs.id}",
        f"/team/{their_parent.id}",
        f"/team/{my_parent.id}",  # my upline is not my team
    ):
        response = await client.get(f"{API}{path}", headers=headers)
        assert response.status_code == 404, (path, response.text)
    # Then only their own come back
    assert (
        await client.get(f"{API}/commissions/{records[mine.id]}", headers=headers)
    ).status_code == 200
    listed = (await client.get(f"{API}/withdrawals", headers=headers)).json()["withdrawals"]
    assert listed == []
    parent_headers = await token(client, await email_of(db, my_parent))
    team = await client.get(f"{API}/team/{mine.id}", headers=parent_headers)
    assert team.status_code == 200 and team.json()["agent"]["id"] == mine.id


async def test_commission_to_wallet_to_withdrawal(client, db, runtime, admin):
    # Given a three-level chain and a sale of ₹12,345.67 recorded by the insurance module
    seller, parent, grand = await make_chain(db, runtime, 3)
    recs = await service.record_sale_commissions(
        db,
        agent_id=seller.id,
        source_type="policy",
        source_id=501,
        base_amount_minor=1_234_567,
        label="Policy #GR-501",
    )
    assert sum(r.amount for r in recs) == 209_876  # 17 % of 1,234,567 = 209,876.39
    # When the admin approves all three at once (plus an unknown id)
    listed = await client.get(f"{API}/admin/commissions?status=pending", headers=admin)
    assert {c["id"] for c in listed.json()["commissions"]} == {r.id for r in recs}
    bulk = await client.post(
        f"{API}/admin/commissions/bulk-approve",
        json={"ids": [r.id for r in recs] + [999_999]},
        headers=admin,
    )
    assert bulk.status_code == 200
    assert bulk.json()["skipped"] == [999_999]
    # Then the seller's wallet shows the credit and the ledger adds up
    headers = await token(client, await email_of(db, seller))
    wallet_doc = (await client.get(f"{API}/wallet", headers=headers)).json()
    assert wallet_doc["balance"] == recs[0].amount == 123_457
    assert wallet_doc["balance"] == sum(e["amount"] for e in wallet_doc["ledger"])
    # A withdrawal below the minimum or above the balance is refused with the field
    small = await client.post(f"{API}/withdraw", json={"amount": 100}, headers=headers)
    big = await client.post(f"{API}/withdraw", json={"amount": 200_000}, headers=headers)
    assert small.status_code == big.status_code == 422
    assert small.json()["errors"][0]["field"] == "amount"
    # A valid request is pending and holds its amount; the admin rejects it: nothing deducted
    first = await client.post(f"{API}/withdraw", json={"amount": 100_000}, headers=headers)
    assert first.status_code == 201 and first.json()["status"] == "pending"
    assert "Withdrawal request: ₹1,000.00" in " ".join(await titles_for(db, "boss@example.com"))
    assert "•" in first.json()["account_number"]
    held = (await client.get(f"{API}/wallet", headers=headers)).json()
    assert held["available"] == 23_457 and held["balance"] == 123_457
    refused = await client.patch(
        f"{API}/admin/withdrawals/{first.json()['id']}",
        json={"action": "reject", "reason": "Bank account name mismatch"},
        headers=admin,
    )
    assert refused.status_code == 200 and refused.json()["status"] == "rejected"
    after = (await client.get(f"{API}/wallet", headers=headers)).json()
    assert after["balance"] == after["available"] == 123_457
    # Another request, approved with a reference: the ledger is debited once
    second = await client.post(f"{API}/withdraw", json={"amount": 100_000}, headers=headers)
    paid = await client.patch(
        f"{API}/admin/withdrawals/{second.json()['id']}",
        json={"action": "approve", "reference": "UTR2026113000042"},
        headers=admin,
    )
    assert paid.status_code == 200 and paid.json()["reference"] == "UTR2026113000042"
    again = await client.patch(
        f"{API}/admin/withdrawals/{second.json()['id']}",
        json={"action": "approve", "reference": "UTR-again"},
        headers=admin,
    )
    assert again.status_code == 409
    final = (await client.get(f"{API}/wallet", headers=headers)).json()
    assert final["balance"] == 23_457 == sum(e["amount"] for e in final["ledger"])
    assert final["total_earnings"] == 123_457 and final["total_withdrawals"] == 100_000
    stats = (await client.get(f"{API}/stats", headers=headers)).json()
    assert stats["sales"] == 1 and stats["team_size"] == 0
    assert stats["commissions"]["approved"] == 123_457
    # The grandparent sees its team two levels deep and its own level-3 commission
    grand_headers = await token(client, await email_of(db, grand))
    team = (await client.get(f"{API}/team", headers=grand_headers)).json()["team"]
    assert [(m["id"], m["depth"]) for m in team] == [(parent.id, 1), (seller.id, 2)]
    mine = (await client.get(f"{API}/commissions", headers=grand_headers)).json()
    assert [c["level"] for c in mine["commissions"]] == [3]


async def test_settings_history_and_validation(client, db, runtime, admin):
    saved = await client.post(
        f"{API}/admin/commission-settings",
        json={"rates_bps": [1200, 600, 300, 100], "note": "Kharif push", "min_withdrawal": 20_000},
        headers=admin,
    )
    assert saved.status_code == 201
    too_much = await client.post(
        f"{API}/admin/commission-settings", json={"rates_bps": [9000, 2000]}, headers=admin
    )
    assert too_much.status_code == 422
    doc = (await client.get(f"{API}/admin/commission-settings", headers=admin)).json()
    assert doc["rates_bps"] == [1200, 600, 300, 100]
    assert doc["min_withdrawal"] == 20_000
    assert doc["history"][0]["note"] == "Kharif push"


async def test_agent_changes_phone_and_payout_account(client, db, runtime):
    agent = await make_agent(db, runtime)
    headers = await token(client, await email_of(db, agent))
    agent_id = agent.id
    half = await client.put(
        f"{API}/profile", json={"account_number": "998877665544"}, headers=headers
    )
    assert half.status_code == 422
    changed = await client.put(
        f"{API}/profile",
        json={
            "phone": "+91 90000 11111",
            "bank_name": "Union Bank of India",
            "account_number": "998877665544",
            "ifsc": "UBIN0531111",
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["kyc"]["account_number"].endswith("5544")
    assert "998877665544" not in changed.text
    db.expire_all()
    row = await db.get(service.Agent, agent_id)
    kyc = service.kyc_rules.opened(service.cipher_for(runtime.secret), row)
    assert (kyc.bank_name, kyc.account_number, kyc.ifsc) == (
        "Union Bank of India",
        "998877665544",
        "UBIN0531111",
    )
    assert kyc.pan == "ABCPE" + kyc.pan[5:]  # identity numbers untouched


async def test_admin_previews_a_split_without_recording(client, db, runtime, admin):
    seller, parent, grand = await make_chain(db, runtime, 3)
    response = await client.post(
        f"{API}/admin/commissions/calculate",
        json={"agent_id": seller.id, "base_amount": 123457},
        headers=admin,
    )
    assert response.status_code == 200
    assert [lv["amount"] for lv in response.json()["levels"]] == [12346, 6173, 2469]
    assert response.json()["total"] == 20988
    listed = await client.get(f"{API}/admin/commissions?status=pending", headers=admin)
    assert listed.json()["commissions"] == []
    customer = await make_user(db, runtime)
    refused = await client.post(
        f"{API}/admin/commissions/calculate",
        json={"agent_id": seller.id, "base_amount": 100},
        headers=await token(client, customer.email),
    )
    assert refused.status_code == 403


async def test_out_of_range_ids_and_amounts_are_422_not_5xx(client, db, runtime, admin):
    agent = await make_agent(db, runtime)
    headers = await token(client, await email_of(db, agent))
    huge = 2**70
    assert (await client.get(f"{API}/withdrawals/{huge}", headers=headers)).status_code == 422
    assert (
        await client.post(f"{API}/withdraw", json={"amount": huge}, headers=headers)
    ).status_code == 422
    assert (
        await client.patch(f"{API}/admin/agents/{huge}/approve", headers=admin)
    ).status_code == 422
    assert (
        await client.post(
            f"{API}/admin/commissions/bulk-approve", json={"ids": [huge]}, headers=admin
        )
    ).status_code == 422
