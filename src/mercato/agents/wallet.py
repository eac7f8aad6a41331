"""The agent wallet: a ledger whose sum is the balance, and withdrawals (seed flow 4).

A pending withdrawal holds its amount: the available balance is the ledger balance minus
the pending requests, so ten simultaneous requests can never promise the same money twice.
Requests and decisions of one agent are serialised by the agent's row lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.agents import kyc as kyc_rules
from mercato.agents.permissions import WITHDRAWALS
from mercato.agents.service import lock_agent, notify_holders
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.money import format_money
from mercato.kit.security import FieldCipher
from mercato.kit.time import utcnow
from mercato.models import Agent, StoreSetting, User, WalletEntry, Withdrawal
from mercato.platform import notifications

MIN_WITHDRAWAL_KEY = "agents.min_withdrawal"
DEFAULT_MIN_WITHDRAWAL = 50_000  # minor units: ₹500.00


async def balance(session: AsyncSession, agent_id: int) -> int:
    """The ledger sum: the only balance there is."""
    total = await session.scalar(
        select(func.coalesce(func.sum(WalletEntry.amount), 0)).where(
            WalletEntry.agent_id == agent_id
        )
    )
    return int(total or 0)


async def pending_total(session: AsyncSession, agent_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(Withdrawal.amount), 0)).where(
            Withdrawal.agent_id == agent_id, Withdrawal.status == "pending"
        )
    )
    return int(total or 0)


@dataclass
class WalletSummary:
    balance: int
    pending: int  # held by pending withdrawals
    available: int
    earned: int  # commissions credited minus commissions reversed
    withdrawn: int


async def summary(session: AsyncSession, agent_id: int) -> WalletSummary:
    found = await session.execute(
        select(WalletEntry.kind, func.coalesce(func.sum(WalletEntry.amount), 0))
        .where(WalletEntry.agent_id == agent_id)
        .group_by(WalletEntry.kind)
    )
    rows = {kind: total for kind, total in found}
    credit, debit, reversal = (int(rows.get(k, 0)) for k in ("credit", "debit", "reversal"))
    total = credit + debit + reversal
    pending = await pending_total(session, agent_id)
    return WalletSummary(
        balance=total,
        pending=pending,
        available=total - pending,
        earned=credit + reversal,
        withdrawn=-debit,
    )


async def ledger(
    session: AsyncSession, agent_id: int, *, limit: int = 100, offset: int = 0
) -> list[WalletEntry]:
    return list(
        await session.scalars(
            select(WalletEntry)
            .where(WalletEntry.agent_id == agent_id)
            .order_by(WalletEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


async def min_withdrawal(session: AsyncSession) -> int:
    stored = await session.scalar(
        select(StoreSetting.value).where(StoreSetting.key == MIN_WITHDRAWAL_KEY)
    )
    return stored if isinstance(stored, int) and stored > 0 else DEFAULT_MIN_WITHDRAWAL


async def set_min_withdrawal(session: AsyncSession, amount_minor: int) -> None:
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValidationFailed("The minimum must be a positive amount.", field="min_withdrawal")
    row = await session.get(StoreSetting, MIN_WITHDRAWAL_KEY)
    if row is None:
        session.add(StoreSetting(key=MIN_WITHDRAWAL_KEY, value=amount_minor, updated_at=utcnow()))
    else:
        row.value = amount_minor
        row.updated_at = utcnow()
    await session.flush()


async def request_withdrawal(
    session: AsyncSession,
    agent_id: int,
    amount_minor: int,
    cipher: FieldCipher,
    *,
    locale: str = "en",
    admin_link: str = "",
) -> Withdrawal:
    """A pending payout to the agent's bank account on file (snapshot kept masked)."""
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValidationFailed("Enter an amount to withdraw.", field="amount")
    agent = await lock_agent(session, agent_id)
    if agent.status != "approved":
        raise Conflict("Only approved agents can withdraw.")
    minimum = await min_withdrawal(session)
    if amount_minor < minimum:
        raise ValidationFailed(
            f"The smallest withdrawal is {format_money(minimum, agent.currency, locale)}.",
            field="amount",
        )
    available = await balance(session, agent.id) - await pending_total(session, agent.id)
    if amount_minor > available:
        raise ValidationFailed(
            "That is more than your available balance "
            f"({format_money(max(available, 0), agent.currency, locale)}).",
            field="amount",
        )
    bank = kyc_rules.opened(cipher, agent).bank_name
    withdrawal = Withdrawal(
        agent_id=agent.id,
        amount=amount_minor,
        currency=agent.currency,
        status="pending",
        bank_name=bank[:120],
        account_hint=agent.account_hint,
        ifsc_hint=agent.ifsc_hint,
    )
    session.add(withdrawal)
    await session.flush()
    user = await session.get(User, agent.user_id)
    await notify_holders(
        session,
        WITHDRAWALS,
        title=f"Withdrawal request: {format_money(amount_minor, agent.currency, locale)}"
        f" from {user.name if user else agent.code}",
        link=admin_link,
    )
    return withdrawal


async def _pending(session: AsyncSession, withdrawal_id: int) -> Withdrawal:
    withdrawal = await session.get(Withdrawal, withdrawal_id)
    if withdrawal is None:
        raise NotFound("No such withdrawal.")
    return withdrawal


async def approve_withdrawal(
    session: AsyncSession,
    actor: User | None,
    withdrawal_id: int,
    reference: str,
    *,
    locale: str = "en",
    link: str = "",
) -> Withdrawal:
    """Pending → approved: the ledger is debited once and the transfer reference recorded."""
    reference = " ".join(reference.split())
    if not reference:
        raise ValidationFailed("Give the bank transfer reference.", field="reference")
    withdrawal = await _pending(session, withdrawal_id)
    await lock_agent(session, withdrawal.agent_id)
    await session.refresh(withdrawal)
    if withdrawal.status != "pending":
        raise Conflict(f"This withdrawal is already {withdrawal.status}.")
    # A commission reversed after the request may have shrunk the balance meanwhile.
    if await balance(session, withdrawal.agent_id) < withdrawal.amount:
        raise Conflict("The agent's balance no longer covers this withdrawal; reject it.")
    changed = await session.execute(
        update(Withdrawal)
        .where(Withdrawal.id == withdrawal.id, Withdrawal.status == "pending")
        .values(
            status="approved",
            reference=reference[:100],
            decided_by=actor.id if actor else None,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This withdrawal was decided meanwhile.")
    await session.refresh(withdrawal)
    session.add(
        WalletEntry(
            agent_id=withdrawal.agent_id,
            kind="debit",
            amount=-withdrawal.amount,
            currency=withdrawal.currency,
            withdrawal_id=withdrawal.id,
            description=f"Withdrawal #{withdrawal.id} to {withdrawal.account_hint}",
        )
    )
    await session.flush()
    await _tell(
        session,
        withdrawal,
        f"Your withdrawal of {format_money(withdrawal.amount, withdrawal.currency, locale)}"
        " was paid.",
        f"Bank reference {withdrawal.reference}.",
        link,
        "success",
    )
    return withdrawal


async def reject_withdrawal(
    session: AsyncSession,
    actor: User | None,
    withdrawal_id: int,
    reason: str,
    *,
    locale: str = "en",
    link: str = "",
) -> Withdrawal:
    """Pending → rejected with a reason; nothing is deducted (the hold is released)."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed("Give the reason for the agent.", field="reason")
    withdrawal = await _pending(session, withdrawal_id)
    await lock_agent(session, withdrawal.agent_id)
    changed = await session.execute(
        update(Withdrawal)
        .where(Withdrawal.id == withdrawal.id, Withdrawal.status == "pending")
        .values(
            status="rejected",
            reason=reason[:500],
            decided_by=actor.id if actor else None,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(withdrawal)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"This withdrawal is already {withdrawal.status}.")
    await _tell(
        session,
        withdrawal,
        f"Your withdrawal of {format_money(withdrawal.amount, withdrawal.currency, locale)}"
        " was not approved.",
        reason,
        link,
        "warning",
    )
    return withdrawal


async def _tell(session, withdrawal, title, body, link, kind) -> None:  # noqa: ANN001
    user_id = await session.scalar(select(Agent.user_id).where(Agent.id == withdrawal.agent_id))
    await notifications.notify(
        session, user_id=user_id, title=title, body=body, link=link, kind=kind
    )


async def list_withdrawals(
    session: AsyncSession,
    *,
    agent_id: int | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[tuple[Withdrawal, Agent, User]]:
    stmt = (
        select(Withdrawal, Agent, User)
        .join(Agent, Agent.id == Withdrawal.agent_id)
        .join(User, User.id == Agent.user_id)
        .order_by(Withdrawal.id.desc())
        .limit(limit)
    )
    if agent_id is not None:
        stmt = stmt.where(Withdrawal.agent_id == agent_id)
    if status in ("pending", "approved", "rejected"):
        stmt = stmt.where(Withdrawal.status == status)
    return [(r[0], r[1], r[2]) for r in await session.execute(stmt)]
