"""The verify call and the webhook for one payment arriving at the same moment, on
separate connections and transactions (SQLite file and PostgreSQL): credited once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from mercato.db import Database
from mercato.insurance import payments
from mercato.models import Notification
from mercato.models.insurance import Policy, PolicyPayment
from mercato.platform.migrate import upgrade
from mercato.platform.seeding import ensure_user, sync_roles
from tests.conftest import PG_URL, _pg_admin
from tests.insurance.support import (
    PASSWORD,
    apply,
    checkout_signature,
    make_plan,
    razorpay_event,
    webhook_headers,
    with_razorpay,
)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path) -> AsyncIterator[Database]:
    name = ""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'ins.db'}"
    else:
        if not PG_URL:
            pytest.skip("set MERCATO_TEST_DATABASE_URL to run on PostgreSQL")
        name = f"{make_url(PG_URL).database}_ins_race"
        await _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        yield db
    finally:
        await db.dispose()
        if name:
            await _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_verify_and_webhook_racing_credit_once(database, ins_runtime, monkeypatch):
    with_razorpay(monkeypatch)
    async with database.transaction() as session:
        roles = await sync_roles(session, ins_runtime.modules)
        customer, _ = await ensure_user(
            session,
            roles,
            email="racer@example.in",
            password=PASSWORD,
            name="R",
            role_names=["customer"],
        )
        await ensure_user(
            session,
            roles,
            email="boss@example.in",
            password=PASSWORD,
            name="B",
            role_names=["admin"],
        )
        plan = await make_plan(session)
        policy = await apply(session, ins_runtime, customer, plan)
        payment = await payments.start(session, ins_runtime, customer, policy, "razorpay")
        order_ref, policy_id, amount = payment.order_ref, policy.id, policy.premium_minor

    async def verify() -> str:
        async with database.transaction(write=True) as session:
            user = await session.get(type(customer), customer.id)
            sig = checkout_signature(order_ref, "pay_RACE")
            _, outcome = await payments.verify_checkout(
                session, ins_runtime, user, order_ref, "pay_RACE", sig
            )
            return outcome

    async def webhook(event_id: str) -> str:
        body = razorpay_event("payment.captured", order_ref, "pay_RACE", amount)
        async with database.transaction(write=True) as session:
            return await payments.handle_webhook(
                session, ins_runtime, "razorpay", body, webhook_headers(body, event_id)
            )

    outcomes = await asyncio.gather(verify(), webhook("evt_a"), webhook("evt_a"), verify())
    assert sorted(outcomes).count("paid") == 1, outcomes
    async with database.transaction() as session:
        policy = await session.get(Policy, policy_id)
        assert (policy.status, policy.payment_status) == ("PENDING_APPROVAL", "PAID")
        paid = await session.scalar(
            select(func.count())
            .select_from(PolicyPayment)
            .where(PolicyPayment.status == "succeeded")
        )
        assert paid == 1
        # staff were told once
        told = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.title == "Policy awaiting approval")
        )
        assert told == 1
