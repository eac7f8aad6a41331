"""Agent pages and agent admin pages: apply with KYC, approval, the audited KYC view, approving
commissions, withdrawing and deciding withdrawals; refusals for the wrong role and no CSRF."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select

from mercato.agents import service
from mercato.models import Agent, AuditEntry, Withdrawal
from tests.agents.support import PASSWORD, STORE, aadhaar, make_agent, make_chain, make_user
from tests.helpers import csrf_from, signin

BASE = f"/{STORE}"


@asynccontextmanager
async def browser(app, email: str):
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        await signin(c, STORE, email, PASSWORD)
        yield c


async def post_form(c, page: str, action: str, data: dict) -> httpx.Response:
    token = await csrf_from(c, f"{BASE}/{page}")
    return await c.post(f"{BASE}/{action}", data={"csrf_token": token, **data})


async def test_apply_with_kyc_then_the_admin_approves(app, db, runtime):
    applicant = await make_user(db, runtime, "meena@example.com")
    await make_user(db, runtime, "boss@example.com", role_names=("admin",))
    applicant_id = applicant.id
    async with browser(app, "meena@example.com") as me:
        form = await me.get(f"{BASE}/agents/register")
        assert form.status_code == 200
        assert '<label for="pan">' in form.text and 'name="csrf_token"' in form.text
        # Without the CSRF token the form is refused
        forged = await me.post(f"{BASE}/agents/register", data={"pan": "ABCPE1234F"})
        assert forged.status_code == 403
        # A bad Aadhaar comes back with the message and without echoing identity numbers
        bad = await post_form(
            me,
            "agents/register",
            "agents/register",
            {
                "pan": "BHKPS4821K",
                "aadhaar": "234567890123",
                "bank_name": "Canara Bank",
                "account_number": "0012345678",
                "ifsc": "CNRB0001234",
            },
        )
        assert bad.status_code == 422
        assert 'id="aadhaar-error"' in bad.text and "BHKPS4821K" not in bad.text
        good = await post_form(
            me,
            "agents/register",
            "agents/register",
            {
                "pan": "abcpe1234f",
                "aadhaar": aadhaar(77),
                "bank_name": "Canara Bank",
                "account_number": "0012345678",
                "ifsc": "cnrb0001234",
            },
        )
        assert good.status_code == 303
        dashboard = await me.get(f"{BASE}/agents/dashboard")
        assert "pending" in dashboard.text
        agent_id = await db.scalar(select(Agent.id).where(Agent.user_id == applicant_id))
    async with browser(app, "boss@example.com") as boss:
        listing = await boss.get(f"{BASE}/admin/agents")
        assert listing.status_code == 200 and "meena@example.com" in listing.text
        done = await post_form(boss, "admin/agents", f"admin/agents/{agent_id}/approve", {})
        assert done.status_code == 303
    db.expire_all()
    agent = await db.get(Agent, agent_id)
    assert agent.status == "approved" and agent.code
    async with browser(app, "meena@example.com") as me:
        dashboard = await me.get(f"{BASE}/agents/dashboard")
        assert agent.code in dashboard.text
        assert "0012345678" not in dashboard.text  # account number only masked


async def test_full_kyc_only_in_the_audited_admin_view(app, db, runtime):
    agent = await make_agent(db, runtime)
    kyc = service.kyc_rules.opened(service.cipher_for(runtime.secret), agent)
    admin = await make_user(db, runtime, "boss@example.com", role_names=("admin",))
    staff = await make_user(db, runtime, "clerk@example.com", role_names=("staff",))
    async with browser(app, admin.email) as boss:
        page = await boss.get(f"{BASE}/admin/agents/{agent.id}")
        assert page.status_code == 200
        assert kyc.pan not in page.text and kyc.account_number not in page.text
        shown = await post_form(
            boss, f"admin/agents/{agent.id}", f"admin/agents/{agent.id}/kyc", {}
        )
        assert shown.status_code == 200
        assert kyc.pan in shown.text and kyc.account_number in shown.text
        assert shown.headers["cache-control"] == "no-store"
    audit = list(await db.scalars(select(AuditEntry).where(AuditEntry.action == "agent.kyc.view")))
    assert [(a.actor_email, a.entity_id) for a in audit] == [(admin.email, str(agent.id))]
    # Staff manage agents but may not read full KYC
    async with browser(app, staff.email) as clerk:
        assert (await clerk.get(f"{BASE}/admin/agents/{agent.id}")).status_code == 200
        refused = await post_form(
            clerk, f"admin/agents/{agent.id}", f"admin/agents/{agent.id}/kyc", {}
        )
        assert refused.status_code == 403 and kyc.pan not in refused.text


async def test_agents_and_customers_cannot_open_the_agent_admin(app, db, runtime):
    agent = await make_agent(db, runtime)
    email = (await db.get(service.User, agent.user_id)).email
    async with browser(app, email) as c:
        for page in ("agents", "agents/commissions", "agents/settings", "agents/withdrawals"):
            response = await c.get(f"{BASE}/admin/{page}")
            assert response.status_code == 403, page
        # and cannot post a decision either (a valid CSRF token from its own dashboard)
        token = await csrf_from(c, f"{BASE}/agents/dashboard")
        response = await c.post(
            f"{BASE}/admin/agents/{agent.id}/approve", data={"csrf_token": token}
        )
        assert response.status_code == 403


async def test_commissions_to_withdrawal_through_the_pages(app, db, runtime):
    # Given a sale in a three-level chain
    seller, parent, grand = await make_chain(db, runtime, 3)
    records = await service.record_sale_commissions(
        db,
        agent_id=seller.id,
        source_type="policy",
        source_id=9001,
        base_amount_minor=1_500_000,
        label="Policy #GR-9001",
    )
    admin = await make_user(db, runtime, "boss@example.com", role_names=("admin",))
    seller_email = (await db.get(service.User, seller.user_id)).email
    async with browser(app, admin.email) as boss:
        listing = await boss.get(f"{BASE}/admin/agents/commissions?status=pending")
        assert listing.text.count("Policy #GR-9001") == 3
        # When the admin approves two in bulk and the third alone
        bulk = await post_form(
            boss,
            "admin/agents/commissions",
            "admin/agents/commissions/approve",
            {"ids": [str(records[0].id), str(records[1].id)]},
        )
        assert bulk.status_code == 303
        one = await post_form(
            boss,
            "admin/agents/commissions",
            f"admin/agents/commissions/{records[2].id}/approve",
            {},
        )
        assert one.status_code == 303
    # Then the seller's dashboard shows ₹1,500.00 credited, and it requests ₹1,000
    async with browser(app, seller_email) as me:
        dashboard = await me.get(f"{BASE}/agents/dashboard")
        assert "₹1,500.00" in dashboard.text
        asked = await post_form(me, "agents/dashboard", "agents/withdraw", {"amount": "1,000"})
        assert asked.status_code == 303
        too_much = await post_form(me, "agents/dashboard", "agents/withdraw", {"amount": "600"})
        assert too_much.status_code == 303
    withdrawal = await db.scalar(select(Withdrawal).where(Withdrawal.agent_id == seller.id))
    assert withdrawal.amount == 100_000 and withdrawal.status == "pending"
    async with browser(app, admin.email) as boss:
        page = await boss.get(f"{BASE}/admin/agents/withdrawals")
        assert f"#{withdrawal.id}" in page.text
        paid = await post_form(
            boss,
            "admin/agents/withdrawals",
            f"admin/agents/withdrawals/{withdrawal.id}/approve",
            {"reference": "UTR99887766"},
        )
        assert paid.status_code == 303
    async with browser(app, seller_email) as me:
        dashboard = await me.get(f"{BASE}/agents/dashboard")
        assert "UTR99887766" in dashboard.text
        assert re.search(r"Balance</th><td class=\"num\"><strong>₹500\.00", dashboard.text)


async def test_settings_page_saves_a_new_version(app, db, runtime):
    admin = await make_user(db, runtime, "boss@example.com", role_names=("admin",))
    async with browser(app, admin.email) as boss:
        saved = await post_form(
            boss,
            "admin/agents/settings",
            "admin/agents/settings",
            {"rate": ["8", "4", "2.5", "1", ""], "note": "Four levels", "min_withdrawal": "250"},
        )
        assert saved.status_code == 303
        page = await boss.get(f"{BASE}/admin/agents/settings")
        assert "Four levels" in page.text
    assert await service.current_rates(db) == [800, 400, 250, 100]
    from mercato.agents import wallet

    assert await wallet.min_withdrawal(db) == 25_000


async def _statements(c, runtime, url: str) -> int:
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = await c.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen)


async def test_dashboard_and_tree_queries_do_not_grow_with_the_team(app, db, runtime):
    top = await make_agent(db, runtime)
    email = (await db.get(service.User, top.user_id)).email
    await make_user(db, runtime, "boss@example.com", role_names=("admin",))
    child = await make_agent(db, runtime, parent=top)
    async with browser(app, email) as me, browser(app, "boss@example.com") as boss:
        await me.get(f"{BASE}/agents/dashboard")  # warm up
        small = await _statements(me, runtime, f"{BASE}/agents/dashboard")
        small_tree = await _statements(boss, runtime, f"{BASE}/admin/agents")
        for _ in range(3):
            grandchild = await make_agent(db, runtime, parent=child)
            await service.record_sale_commissions(
                db,
                agent_id=grandchild.id,
                source_type="policy",
                source_id=grandchild.id,
                base_amount_minor=10_000,
                label="P",
            )
        big = await _statements(me, runtime, f"{BASE}/agents/dashboard")
        big_tree = await _statements(boss, runtime, f"{BASE}/admin/agents")
    assert small == big <= 25
    assert small_tree == big_tree <= 20
