"""The agent network's service API: codes, multi-level commissions with exact paise, reversal
by new rows, the wallet equal to its ledger, settings history, KYC at rest and the tree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from mercato.agents import kyc as kyc_rules
from mercato.agents import service, wallet
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.money import half_up
from mercato.models import Agent, Commission, Notification, WalletEntry
from tests.agents.support import make_agent, make_chain, sample_kyc


@given(
    base=st.integers(min_value=1, max_value=10**12),
    rates=st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=10),
)
def test_split_adds_up_exactly_and_each_part_is_within_a_paisa(base, rates):
    parts = service.split_commission(base, rates)
    total_bps = sum(rates)
    expected_total = half_up(Decimal(base) * total_bps / 10_000) if total_bps else 0
    assert sum(parts) == expected_total
    assert len(parts) == len(rates)
    for part, rate in zip(parts, rates, strict=True):
        exact = Decimal(base) * rate / 10_000
        assert part >= 0
        assert abs(Decimal(part) - exact) < Decimal("1.5")


@given(base=st.integers(min_value=1, max_value=10**12))
def test_default_split_parts_are_within_one_unit_of_their_share(base):
    parts = service.split_commission(base, [1000, 500, 200])
    assert sum(parts) == half_up(Decimal(base) * 1700 / 10_000)
    for part, rate in zip(parts, [1000, 500, 200], strict=True):
        assert abs(Decimal(part) - Decimal(base) * rate / 10_000) < 2


async def test_three_level_chain_on_a_premium_that_does_not_divide(db, runtime):
    # Given a seller, its parent and its grandparent, and the default 10/5/2 % rates
    seller, parent, grand = await make_chain(db, runtime, 3)
    # When a premium of ₹1,234.57 is recorded
    records = await service.record_sale_commissions(
        db,
        agent_id=seller.id,
        source_type="policy",
        source_id=41,
        base_amount_minor=123457,
        label="Policy #GR-0041",
    )
    # Then three pending records with frozen rates add up to the rounded 17 % exactly
    assert [(r.agent_id, r.level, r.rate_bps) for r in records] == [
        (seller.id, 1, 1000),
        (parent.id, 2, 500),
        (grand.id, 3, 200),
    ]
    # 123457 × 17 % = 20987.69 → 20988; shares 12345.7 / 6172.85 / 2469.14 → +1 to the two
    # largest remainders
    assert [r.amount for r in records] == [12346, 6173, 2469]
    assert sum(r.amount for r in records) == 20988
    assert {r.status for r in records} == {"pending"}


async def test_levels_stop_at_the_configured_number_and_rates_are_frozen(db, runtime):
    chain = await make_chain(db, runtime, 5)
    await service.save_rates(db, None, [800, 400], note="two levels")
    records = await service.record_sale_commissions(
        db,
        agent_id=chain[0].id,
        source_type="policy",
        source_id=7,
        base_amount_minor=100000,
        label="Policy #7",
    )
    assert [(r.agent_id, r.rate_bps, r.amount) for r in records] == [
        (chain[0].id, 800, 8000),
        (chain[1].id, 400, 4000),
    ]
    # Later settings do not touch recorded commissions; history keeps both versions
    await service.save_rates(db, None, [1500, 700, 300, 100], note="four levels")
    db.expire_all()
    again = list(await db.scalars(select(Commission).where(Commission.source_id == 7)))
    assert sorted(r.rate_bps for r in again) == [400, 800]
    history = await service.settings_history(db)
    assert [h.rates_bps for h in history] == [[1500, 700, 300, 100], [800, 400]]
    assert await service.current_rates(db) == [1500, 700, 300, 100]


async def test_recording_the_same_sale_twice_pays_once(db, runtime):
    seller, *_ = await make_chain(db, runtime, 2)
    kwargs = dict(
        agent_id=seller.id, source_type="policy", source_id=9, base_amount_minor=5000, label="P9"
    )
    first = await service.record_sale_commissions(db, **kwargs)
    second = await service.record_sale_commissions(db, **kwargs)
    assert [r.id for r in first] == [r.id for r in second]
    count = await db.scalar(select(func.count()).select_from(Commission))
    assert count == 2


async def test_a_suspended_ancestor_earns_nothing(db, runtime):
    seller, parent, grand = await make_chain(db, runtime, 3)
    await service.suspend_agent(db, None, parent.id)
    records = await service.record_sale_commissions(
        db,
        agent_id=seller.id,
        source_type="policy",
        source_id=3,
        base_amount_minor=10000,
        label="P3",
    )
    assert [(r.agent_id, r.level) for r in records] == [(seller.id, 1), (grand.id, 3)]


async def test_agent_by_code_finds_approved_agents_only(db, runtime):
    approved = await make_agent(db, runtime)
    pending = await make_agent(db, runtime, approve=False)
    assert (await service.agent_by_code(db, approved.code.lower())).id == approved.id
    assert pending.code is None
    assert await service.agent_by_code(db, "") is None
    await service.suspend_agent(db, None, approved.id)
    assert await service.agent_by_code(db, approved.code) is None


async def test_approval_credits_the_wallet_once_and_notifies(db, runtime):
    seller, parent, grand = await make_chain(db, runtime, 3)
    records = await service.record_sale_commissions(
        db,
        agent_id=seller.id,
        source_type="policy",
        source_id=12,
        base_amount_minor=250000,
        label="Policy #GR-12",
    )
    ids = [r.id for r in records]
    approved = await service.approve_commissions(db, None, ids, locale="en-IN")
    again = await service.approve_commissions(db, None, ids, locale="en-IN")
    assert len(approved) == 3 and again == []
    assert await wallet.balance(db, seller.id) == 25000
    summary = await wallet.summary(db, parent.id)
    assert summary.balance == summary.earned == 12500
    titles = list(
        await db.scalars(select(Notification.title).where(Notification.user_id == seller.user_id))
    )
    assert "You earned ₹250.00 commission on Policy #GR-12" in titles


async def test_reversal_writes_new_rows_and_reverses_credited_money(db, runtime):
    # Given a sale whose level-1 commission was approved (credited) and the rest pending
    seller, parent, grand = await make_chain(db, runtime, 3)
    seller_id, parent_id = seller.id, parent.id
    records = await service.record_sale_commissions(
        db,
        agent_id=seller.id,
        source_type="policy",
        source_id=77,
        base_amount_minor=99999,
        label="Policy #77",
    )
    await service.approve_commissions(db, None, [records[0].id])
    before = {r.id: (r.amount, r.rate_bps) for r in records}
    # When the policy is cancelled
    reversals = await service.reverse_commissions(
        db, source_type="policy", source_id=77, reason="Policy cancelled"
    )
    # Then each original is marked reversed (amounts untouched) with a negative twin
    assert len(reversals) == 3
    twins = [(r.amount, r.reversal_of) for r in reversals]
    db.expire_all()
    for original in await db.scalars(select(Commission).where(Commission.kind == "commission")):
        assert original.status == "reversed"
        assert (original.amount, original.rate_bps) == before[original.id]
    assert sorted(a for a, _ in twins) == sorted(-a for a, _ in before.values())
    assert {of for _, of in twins} == set(before)
    # and only the credited one touched the wallet: credit then reversal, balance 0
    kinds = list(
        await db.scalars(
            select(WalletEntry.kind)
            .where(WalletEntry.agent_id == seller_id)
            .order_by(WalletEntry.id)
        )
    )
    assert kinds == ["credit", "reversal"]
    assert await wallet.balance(db, seller_id) == 0
    assert (
        await db.scalar(
            select(func.count()).select_from(WalletEntry).where(WalletEntry.agent_id == parent_id)
        )
        == 0
    )
    # A second cancellation finds nothing left to reverse
    assert (
        await service.reverse_commissions(db, source_type="policy", source_id=77, reason="again")
        == []
    )


async def test_wallet_balance_always_equals_the_ledger_sum(db, runtime):
    seller, parent = await make_chain(db, runtime, 2)
    for n in range(1, 6):
        recs = await service.record_sale_commissions(
            db,
            agent_id=seller.id,
            source_type="policy",
            source_id=100 + n,
            base_amount_minor=10000 * n + 7,
            label=f"P{n}",
        )
        if n % 2:
            await service.approve_commissions(db, None, [r.id for r in recs])
        if n == 3:
            await service.reverse_commissions(
                db, source_type="policy", source_id=103, reason="refund"
            )
    for agent in (seller, parent):
        ledger_sum = sum(e.amount for e in await wallet.ledger(db, agent.id, limit=1000))
        assert await wallet.balance(db, agent.id) == ledger_sum
        assert (await wallet.summary(db, agent.id)).balance == ledger_sum


async def test_kyc_is_encrypted_at_rest_and_masked(db, runtime):
    agent = await make_agent(db, runtime)
    row = (
        await db.execute(
            text(
                "SELECT pan_cipher, aadhaar_cipher, account_cipher, pan_hint, account_hint "
                "FROM agents WHERE id = :id"
            ),
            {"id": agent.id},
        )
    ).one()
    kyc = kyc_rules.opened(service.cipher_for(runtime.secret), agent)
    assert kyc.pan not in row[0] and kyc.aadhaar not in row[1]
    assert kyc.account_number not in row[2]
    assert row[3].endswith(kyc.pan[-2:]) and kyc.pan not in row[3]
    assert row[4].endswith(kyc.account_number[-4:]) and kyc.account_number not in row[4]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pan", "ABCDE12345"),
        ("aadhaar", "234567890123"),  # wrong Verhoeff check digit
        ("aadhaar", "123456789012"),  # starts with 1
        ("ifsc", "SBIN1001234"),  # fifth character must be 0
        ("account_number", "12AB5678"),
        ("bank_name", " "),
    ],
)
def test_kyc_formats_are_checked(field, value):
    with pytest.raises(ValidationFailed) as caught:
        sample_kyc(1, **{field: value})
    assert caught.value.field == field


async def test_the_tree_has_no_cycles(db, runtime):
    seller, parent, grand = await make_chain(db, runtime, 3)
    with pytest.raises(ValidationFailed):
        await service.move_agent(db, grand.id, seller.id)  # under its own grandchild
    with pytest.raises(ValidationFailed):
        await service.move_agent(db, parent.id, parent.id)
    # A legal move re-roots the branch and keeps paths and levels consistent
    other = await make_agent(db, runtime)
    await service.move_agent(db, parent.id, other.id)
    members = await service.subtree(db, other)
    assert [(a.id, a.level) for a, _ in members] == [(other.id, 1), (parent.id, 2), (seller.id, 3)]
    assert service.ancestor_ids(seller) == [parent.id, other.id]


async def test_subtree_is_one_query_whatever_its_size(db, runtime):
    seller, parent, grand = await make_chain(db, runtime, 3)
    for _ in range(3):
        await make_agent(db, runtime, parent=parent)
    statements = []
    from sqlalchemy import event

    sync_engine = db.bind.sync_engine if hasattr(db.bind, "sync_engine") else db.bind.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(sync_engine, "before_cursor_execute", listener)
    try:
        members = await service.subtree(db, grand)
    finally:
        event.remove(sync_engine, "before_cursor_execute", listener)
    assert len(members) == 6
    assert len(statements) == 1


async def test_a_user_applies_once_and_rejection_needs_a_reason(db, runtime):
    agent = await make_agent(db, runtime, approve=False)
    user = await db.get(service.User, agent.user_id)
    with pytest.raises(Conflict):
        await service.register_agent(
            db,
            user=user,
            cipher=service.cipher_for("x" * 40),
            currency="INR",
            kyc=sample_kyc(99),
        )
    with pytest.raises(ValidationFailed):
        await service.reject_agent(db, None, agent.id, "  ")
    rejected = await service.reject_agent(db, None, agent.id, "PAN does not match the name")
    assert rejected.status == "rejected" and rejected.code is None
    with pytest.raises(Conflict):
        await service.approve_agent(db, None, agent.id)
    assert (await db.get(Agent, agent.id)).status == "rejected"


async def test_registering_under_an_unknown_code_is_refused(db, runtime):
    from tests.agents.support import cipher, make_user

    user = await make_user(db, runtime)
    with pytest.raises(ValidationFailed) as caught:
        await service.register_agent(
            db,
            user=user,
            cipher=cipher(),
            currency="INR",
            kyc=sample_kyc(5),
            parent_code="AGNOPE99",
        )
    assert caught.value.field == "parent_code"
