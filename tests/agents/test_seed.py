"""The demo agent network: a tree of at least three levels, commissions in every status, a
pending withdrawal, wallets equal to their ledgers; a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from mercato.agents import service, wallet
from mercato.agents.seed import seed_agents
from mercato.models import Agent, Commission, WalletEntry, Withdrawal
from mercato.platform.seeding import SeedContext, ensure_user, sync_roles


async def test_demo_network(db, runtime):
    roles = await sync_roles(db, runtime.modules)
    await ensure_user(
        db,
        roles,
        email="admin@cattle-insurance.test",
        password="Pashu-Bima-Approval-11",
        name="Rajesh Patil",
        role_names=["admin"],
    )
    ctx = SeedContext(
        config=runtime.config,
        settings=runtime.settings,
        seed_dir=Path("."),
        storage=runtime.storage,
    )
    summary = await seed_agents(db, ctx)
    assert "agents" in summary
    levels = set(await db.scalars(select(Agent.level).where(Agent.status == "approved")))
    assert {1, 2, 3, 4} <= levels
    statuses = set(await db.scalars(select(Agent.status)))
    assert statuses == {"approved", "pending", "rejected", "suspended"}
    kinds = set((await db.execute(select(Commission.kind, Commission.status).distinct())).all())
    assert {
        ("commission", "pending"),
        ("commission", "approved"),
        ("commission", "reversed"),
        ("reversal", "reversed"),
    } <= kinds
    assert set(await db.scalars(select(Withdrawal.status))) == {"pending", "approved", "rejected"}
    assert set(await db.scalars(select(WalletEntry.kind))) == {"credit", "debit", "reversal"}
    for agent_id in await db.scalars(select(Agent.id)):
        entries = await wallet.ledger(db, agent_id, limit=1000)
        assert await wallet.balance(db, agent_id) == sum(e.amount for e in entries)
        assert (await wallet.summary(db, agent_id)).available >= 0
    # The fixed demo codes answer agent_by_code (the insurance seed sells through them)
    assert (await service.agent_by_code(db, "AG100004")).level == 3
    # A second run adds nothing
    before = await db.scalar(select(func.count()).select_from(Commission))
    assert await seed_agents(db, ctx) == "already seeded"
    assert await db.scalar(select(func.count()).select_from(Commission)) == before
