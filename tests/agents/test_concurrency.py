"""Two withdrawal requests can never spend the same money: ten at once, each in its own
transaction on its own connection, against a balance that covers three (SQLite and
PostgreSQL databases of their own, as in tests/inventory/test_concurrency.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from sqlalchemy import func, select

from mercato.agents import service, wallet
from mercato.kit.errors import DomainError
from mercato.models import Withdrawal
from mercato.platform.modules import EnabledModules, registry
from tests.agents.support import cipher, make_agent
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture

STORE = SimpleNamespace(modules=EnabledModules(registry.resolve(["agents"])))


async def _request(database, agent_id: int) -> str:  # noqa: F811
    try:
        async with database.transaction(write=True) as session:
            await wallet.request_withdrawal(session, agent_id, 60_000, cipher())
    except DomainError as exc:
        return exc.code
    return "requested"


async def test_ten_simultaneous_withdrawals_against_a_balance_for_three(database):  # noqa: F811
    # Given an agent whose wallet holds ₹1,900 (three ₹600 withdrawals fit, four do not)
    async with database.transaction() as session:
        agent = await make_agent(session, STORE)
        records = await service.record_sale_commissions(
            session,
            agent_id=agent.id,
            source_type="policy",
            source_id=1,
            base_amount_minor=1_900_000,
            label="Policy #1",
        )
        await service.approve_commissions(session, None, [r.id for r in records])
        agent_id = agent.id
    # When ten requests of ₹600 arrive at the same moment
    outcomes = await asyncio.gather(*(_request(database, agent_id) for _ in range(10)))
    # Then exactly three are accepted and the others refused as over the balance
    assert outcomes.count("requested") == 3
    assert outcomes.count("ValidationFailed") == 7
    async with database.transaction() as session:
        pending = await session.scalar(
            select(func.coalesce(func.sum(Withdrawal.amount), 0)).where(
                Withdrawal.agent_id == agent_id, Withdrawal.status == "pending"
            )
        )
        summary = await wallet.summary(session, agent_id)
    assert pending == 180_000
    assert summary.balance == 190_000 and summary.available == 10_000


async def _approve(database, ids: list[int]) -> int:  # noqa: F811
    async with database.transaction(write=True) as session:
        return len(await service.approve_commissions(session, None, ids))


async def test_simultaneous_approvals_credit_each_commission_once(database):  # noqa: F811
    # Given a three-level sale with three pending commissions
    async with database.transaction() as session:
        top = await make_agent(session, STORE)
        middle = await make_agent(session, STORE, parent=top)
        seller = await make_agent(session, STORE, parent=middle)
        records = await service.record_sale_commissions(
            session,
            agent_id=seller.id,
            source_type="policy",
            source_id=2,
            base_amount_minor=1_000_000,
            label="Policy #2",
        )
        ids = [r.id for r in records]
        agent_ids = [seller.id, middle.id, top.id]
    # When five admins approve them at the same moment (a double-clicked bulk approval)
    approved = await asyncio.gather(*(_approve(database, ids) for _ in range(5)))
    # Then each commission was approved and credited exactly once
    assert sum(approved) == 3
    async with database.transaction() as session:
        balances = [await wallet.balance(session, a) for a in agent_ids]
    assert balances == [100_000, 50_000, 20_000]
