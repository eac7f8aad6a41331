"""The agent network's rules: registration and approval, the tree, commission settings,
commissions and their reversal. Other modules call ``agent_by_code``,
``record_sale_commissions`` and ``reverse_commissions``; nothing here knows what was sold.

Services flush and never commit (the request owns the transaction).

Rounding rule for commissions: the whole commission of a sale is rounded once, half-up, to
whole minor units (``base × Σrates / 10 000``); that total is then split between the levels
in proportion to their rates by the largest-remainder method. So the records of one sale
add up exactly to the rounded total, and each record is within one minor unit (paisa) of
its exact share.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.agents import kyc as kyc_rules
from mercato.agents.permissions import AGENT_PERMISSIONS, MANAGE
from mercato.identity.permissions import has_permission
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.money import allocate, format_money, half_up
from mercato.kit.security import FieldCipher
from mercato.kit.time import utcnow
from mercato.models import Agent, Commission, CommissionSetting, Role, User, UserRole, WalletEntry
from mercato.platform import notifications

DEFAULT_RATES_BPS = (1000, 500, 200)  # 10 % / 5 % / 2 % of the sale
MAX_LEVELS = 10
AGENT_ROLE = "agent"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def cipher_for(secret: str) -> FieldCipher:
    return FieldCipher(secret)


# --- agents -------------------------------------------------------------------------------


async def agent_by_code(session: AsyncSession, code: str) -> Agent | None:
    """The approved agent with this code (case and spaces ignored), or None."""
    wanted = "".join(str(code or "").split()).upper()
    if not wanted:
        return None
    return await session.scalar(
        select(Agent).where(Agent.code == wanted, Agent.status == "approved")
    )


async def agent_for_user(session: AsyncSession, user_id: int) -> Agent | None:
    return await session.scalar(select(Agent).where(Agent.user_id == user_id))


async def get_agent(session: AsyncSession, agent_id: int) -> Agent:
    agent = await session.get(Agent, agent_id)
    if agent is None:
        raise NotFound("No such agent.")
    return agent


async def lock_agent(session: AsyncSession, agent_id: int) -> Agent:
    """Take the agent's row lock (PostgreSQL ``FOR UPDATE``) so money changes of one agent
    run one after another. SQLite write transactions already hold the database write lock
    (``BEGIN IMMEDIATE``), which serialises them."""
    agent = await session.scalar(
        select(Agent)
        .where(Agent.id == agent_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if agent is None:
        raise NotFound("No such agent.")
    return agent


async def register_agent(
    session: AsyncSession,
    *,
    user: User,
    cipher: FieldCipher,
    currency: str,
    kyc: kyc_rules.Kyc,
    parent_code: str = "",
    phone: str = "",
    admin_link: str = "",
) -> Agent:
    """A pending agent for ``user``; with ``parent_code`` it joins that agent's team."""
    if await agent_for_user(session, user.id) is not None:
        raise Conflict("You have already applied to be an agent.")
    parent = None
    if parent_code.strip():
        parent = await agent_by_code(session, parent_code)
        if parent is None:
            raise ValidationFailed("No approved agent has that code.", field="parent_code")
    agent = Agent(
        user_id=user.id,
        parent_id=parent.id if parent else None,
        level=parent.level + 1 if parent else 1,
        status="pending",
        currency=currency,
        phone=phone.strip()[:32],
        **kyc_rules.sealed(cipher, kyc),
    )
    session.add(agent)
    await session.flush()
    agent.path = f"{parent.path if parent else '/'}{agent.id}/"
    await session.flush()
    await notify_holders(
        session,
        MANAGE,
        title=f"New agent application from {user.name or user.email}",
        body=f"Recruited by {parent.code}." if parent else "",
        link=admin_link,
    )
    return agent


async def update_profile(
    session: AsyncSession,
    agent: Agent,
    *,
    cipher: FieldCipher,
    phone: str | None = None,
    bank: tuple[str, str, str] | None = None,
) -> Agent:
    """Change the phone and/or the payout account (bank name, account number, IFSC, checked
    and encrypted like at registration). Identity numbers (PAN, Aadhaar) are not changed
    here: that is a new KYC check by the staff. Withdrawals already requested keep the
    account snapshot they were made with."""
    if phone is not None:
        agent.phone = " ".join(phone.split())[:32]
    if bank is not None:
        bank_name, account_number, ifsc = bank
        current = kyc_rules.opened(cipher, agent)
        checked = kyc_rules.clean(
            pan=current.pan,
            aadhaar=current.aadhaar,
            bank_name=bank_name,
            account_number=account_number,
            ifsc=ifsc,
        )
        sealed = kyc_rules.sealed(cipher, checked)
        for column in ("bank_name_cipher", "account_cipher", "ifsc_cipher"):
            setattr(agent, column, sealed[column])
        for column in ("account_hint", "ifsc_hint"):
            setattr(agent, column, sealed[column])
    await session.flush()
    return agent


async def _new_code(session: AsyncSession) -> str:
    while True:
        code = "AG" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if await session.scalar(select(Agent.id).where(Agent.code == code)) is None:
            return code


async def _grant_agent_role(session: AsyncSession, user_id: int) -> None:
    role = await session.scalar(select(Role).where(Role.name == AGENT_ROLE))
    if role is None:  # the module's default role, made here if roles were never synced
        role = Role(name=AGENT_ROLE, permissions=list(AGENT_PERMISSIONS))
        session.add(role)
        await session.flush()
    held = await session.scalar(
        select(UserRole.user_id).where(UserRole.user_id == user_id, UserRole.role_id == role.id)
    )
    if held is None:
        session.add(UserRole(user_id=user_id, role_id=role.id))
        await session.flush()


async def approve_agent(
    session: AsyncSession, actor: User | None, agent_id: int, *, link: str = ""
) -> Agent:
    """Pending (or suspended) → approved: the agent code is issued once and kept."""
    agent = await lock_agent(session, agent_id)
    if agent.status not in ("pending", "suspended"):
        raise Conflict(f"This agent is {agent.status}; only pending agents can be approved.")
    agent.status = "approved"
    agent.code = agent.code or await _new_code(session)
    agent.decided_by = actor.id if actor else None
    agent.decided_at = utcnow()
    agent.rejection_reason = ""
    await _grant_agent_role(session, agent.user_id)
    await session.flush()
    await notifications.notify(
        session,
        user_id=agent.user_id,
        title=f"You are now an agent. Your agent code is {agent.code}.",
        body="Share your code with customers and with agents you recruit.",
        link=link,
        kind="success",
    )
    return agent


async def reject_agent(
    session: AsyncSession, actor: User | None, agent_id: int, reason: str, *, link: str = ""
) -> Agent:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed("Give the reason for the applicant.", field="reason")
    agent = await lock_agent(session, agent_id)
    if agent.status != "pending":
        raise Conflict(f"This agent is {agent.status}; only pending applications can be rejected.")
    agent.status = "rejected"
    agent.rejection_reason = reason[:500]
    agent.decided_by = actor.id if actor else None
    agent.decided_at = utcnow()
    await session.flush()
    await notifications.notify(
        session,
        user_id=agent.user_id,
        title="Your agent application was not accepted.",
        body=reason,
        link=link,
        kind="warning",
    )
    return agent


async def suspend_agent(session: AsyncSession, actor: User | None, agent_id: int) -> Agent:
    agent = await lock_agent(session, agent_id)
    if agent.status != "approved":
        raise Conflict("Only approved agents can be suspended.")
    agent.status = "suspended"
    agent.decided_by = actor.id if actor else None
    agent.decided_at = utcnow()
    await session.flush()
    return agent


async def notify_holders(
    session: AsyncSession, permission: str, *, title: str, body: str = "", link: str = ""
) -> int:
    """Tell every active user whose roles grant ``permission`` (the seed's "notify admin").
    Roles are few, so their permission lists are read in Python, not matched in SQL JSON."""
    role_ids = [
        r.id
        for r in await session.scalars(select(Role))
        if has_permission(frozenset(r.permissions or []), permission)
    ]
    if not role_ids:
        return 0
    user_ids = list(
        await session.scalars(
            select(UserRole.user_id)
            .join(User, User.id == UserRole.user_id)
            .where(
                UserRole.role_id.in_(role_ids),
                User.blocked_at.is_(None),
                User.deleted_at.is_(None),
            )
            .distinct()
        )
    )
    for user_id in user_ids:
        await notifications.notify(session, user_id=user_id, title=title, body=body, link=link)
    return len(user_ids)


# --- the tree -----------------------------------------------------------------------------


def ancestor_ids(agent: Agent) -> list[int]:
    """Parent first, then grandparent...: read from the materialised path, no query."""
    ids = [int(p) for p in agent.path.strip("/").split("/") if p]
    return list(reversed(ids[:-1]))


async def subtree(session: AsyncSession, agent: Agent) -> list[tuple[Agent, User]]:
    """The agent and everyone below, with their users, in tree order: one query."""
    rows = await session.execute(
        select(Agent, User)
        .join(User, User.id == Agent.user_id)
        .where(Agent.path.startswith(agent.path, autoescape=True))
        .order_by(Agent.path)
    )
    return [(a, u) for a, u in rows]


async def whole_tree(session: AsyncSession) -> list[tuple[Agent, User]]:
    rows = await session.execute(
        select(Agent, User).join(User, User.id == Agent.user_id).order_by(Agent.path)
    )
    return [(a, u) for a, u in rows]


async def move_agent(session: AsyncSession, agent_id: int, new_parent_id: int | None) -> Agent:
    """Re-attach an agent (with its team) under another parent; refuses any cycle."""
    agent = await get_agent(session, agent_id)
    parent = await get_agent(session, new_parent_id) if new_parent_id is not None else None
    if parent is not None and parent.path.startswith(agent.path):
        raise ValidationFailed(
            "An agent cannot be placed under itself or one of its own team.", field="parent_id"
        )
    old_prefix, old_level = agent.path, agent.level
    new_prefix = f"{parent.path if parent else '/'}{agent.id}/"
    shift = (parent.level + 1 if parent else 1) - old_level
    for member, _ in await subtree(session, agent):
        member.path = new_prefix + member.path[len(old_prefix) :]
        member.level += shift
    agent.parent_id = parent.id if parent else None
    await session.flush()
    return agent


# --- commission settings ------------------------------------------------------------------


async def current_rates(session: AsyncSession) -> list[int]:
    """Rates in basis points, level 1 first; the defaults until an admin saves settings."""
    version = await session.scalar(select(func.max(CommissionSetting.version)))
    if version is None:
        return list(DEFAULT_RATES_BPS)
    rows = await session.scalars(
        select(CommissionSetting.rate_bps)
        .where(CommissionSetting.version == version)
        .order_by(CommissionSetting.level)
    )
    return list(rows)


async def save_rates(
    session: AsyncSession, actor: User | None, rates_bps: list[int], note: str = ""
) -> int:
    """Write a new settings version; earlier versions stay as history. Returns the version."""
    if not 1 <= len(rates_bps) <= MAX_LEVELS:
        raise ValidationFailed(f"Set between 1 and {MAX_LEVELS} levels.", field="rates")
    for i, rate in enumerate(rates_bps):
        if not isinstance(rate, int) or not 0 <= rate <= 10_000:
            raise ValidationFailed("A rate is between 0 and 100 %.", field=f"rates.{i}")
    if sum(rates_bps) > 10_000:
        raise ValidationFailed("The levels together cannot pay more than the sale.", field="rates")
    version = (await session.scalar(select(func.max(CommissionSetting.version)))) or 0
    for level, rate in enumerate(rates_bps, start=1):
        session.add(
            CommissionSetting(
                version=version + 1,
                level=level,
                rate_bps=rate,
                note=note.strip()[:300],
                created_by=actor.id if actor else None,
            )
        )
    await session.flush()
    return version + 1


@dataclass
class SettingsVersion:
    version: int
    rates_bps: list[int]
    note: str
    created_by: int | None
    created_at: object


async def settings_history(session: AsyncSession) -> list[SettingsVersion]:
    rows = await session.scalars(
        select(CommissionSetting).order_by(
            CommissionSetting.version.desc(), CommissionSetting.level
        )
    )
    versions: dict[int, SettingsVersion] = {}
    for row in rows:
        v = versions.setdefault(
            row.version, SettingsVersion(row.version, [], row.note, row.created_by, row.created_at)
        )
        v.rates_bps.append(row.rate_bps)
    return list(versions.values())


# --- commissions --------------------------------------------------------------------------


def split_commission(base_amount_minor: int, rates_bps: list[int]) -> list[int]:
    """Amounts per level (see the module docstring for the rounding rule)."""
    if base_amount_minor < 0:
        raise ValueError("a sale amount is not negative")
    total_bps = sum(rates_bps)
    if total_bps == 0 or base_amount_minor == 0:
        return [0] * len(rates_bps)
    pool = half_up(Decimal(base_amount_minor) * total_bps / 10_000)
    return allocate(pool, rates_bps)


async def preview_commissions(
    session: AsyncSession, agent_id: int, base_amount_minor: int
) -> list[tuple[int, Agent, int, int]]:
    """What ``record_sale_commissions`` would record now, recording nothing:
    (level, agent, rate_bps, amount) per paid level."""
    if base_amount_minor <= 0:
        raise ValidationFailed("The sale amount must be positive.", field="base_amount_minor")
    paid = await _paid_levels(session, agent_id)
    amounts = split_commission(base_amount_minor, [rate for _, _, rate in paid]) if paid else []
    return [(lvl, a, rate, amt) for (lvl, a, rate), amt in zip(paid, amounts, strict=True)]


async def _paid_levels(session: AsyncSession, agent_id: int) -> list[tuple[int, Agent, int]]:
    """(level, agent, rate) for the seller and its upline that would be paid today."""
    seller = await get_agent(session, agent_id)
    rates = await current_rates(session)
    chain_ids = [seller.id, *ancestor_ids(seller)][: len(rates)]
    found = await session.scalars(select(Agent).where(Agent.id.in_(chain_ids)))
    agents = {a.id: a for a in found}
    return [
        (level, agents[aid], rates[level - 1])
        for level, aid in enumerate(chain_ids, start=1)
        if aid in agents and agents[aid].status == "approved" and rates[level - 1] > 0
    ]


async def record_sale_commissions(
    session: AsyncSession,
    *,
    agent_id: int,
    source_type: str,
    source_id: int,
    base_amount_minor: int,
    label: str,
) -> list[Commission]:
    """PENDING commissions for the selling agent and its ancestors up to the configured
    number of levels, with the rates of today frozen on each record.

    Levels are distances in the tree (1 = seller); an agent that is not approved at that
    moment (suspended, rejected) earns nothing and its share is not passed on. Recording the
    same sale twice returns the first records instead of paying twice.
    """
    if not source_type or len(source_type) > 40:
        raise ValidationFailed("A source type is 1 to 40 characters.", field="source_type")
    if not isinstance(base_amount_minor, int) or base_amount_minor <= 0:
        raise ValidationFailed("The sale amount must be positive.", field="base_amount_minor")
    existing = list(
        await session.scalars(
            select(Commission)
            .where(
                Commission.source_type == source_type,
                Commission.source_id == source_id,
                Commission.kind == "commission",
            )
            .order_by(Commission.level)
        )
    )
    if existing:
        return existing
    paid = await _paid_levels(session, agent_id)
    if not paid:
        return []
    amounts = split_commission(base_amount_minor, [rate for _, _, rate in paid])
    records = []
    for (level, agent, rate), amount in zip(paid, amounts, strict=True):
        record = Commission(
            agent_id=agent.id,
            kind="commission",
            level=level,
            source_type=source_type,
            source_id=source_id,
            label=label.strip()[:200],
            base_amount=base_amount_minor,
            rate_bps=rate,
            amount=amount,
            currency=agent.currency,
            status="pending",
        )
        session.add(record)
        records.append(record)
    await session.flush()
    return records


async def reverse_commissions(
    session: AsyncSession, *, source_type: str, source_id: int, reason: str
) -> list[Commission]:
    """Reverse every live commission of a sale (cancelled, refunded): each gets a reversing
    record with the opposite amount, and one already credited gets a reversing wallet entry.
    Nothing is edited except the original's status. Returns the reversing records; a second
    call finds nothing left to reverse and returns []."""
    originals = list(
        await session.scalars(
            select(Commission)
            .where(
                Commission.source_type == source_type,
                Commission.source_id == source_id,
                Commission.kind == "commission",
                Commission.status.in_(("pending", "approved")),
            )
            .order_by(Commission.agent_id, Commission.id)
        )
    )
    reversals = []
    for original in originals:
        await lock_agent(session, original.agent_id)
        was = original.status
        # Conditional: a concurrent approval or reversal of the same record wins once.
        changed = await session.execute(
            update(Commission)
            .where(Commission.id == original.id, Commission.status == was)
            .values(status="reversed")
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        original.status = "reversed"
        reversal = Commission(
            agent_id=original.agent_id,
            kind="reversal",
            level=original.level,
            source_type=original.source_type,
            source_id=original.source_id,
            label=original.label,
            base_amount=original.base_amount,
            rate_bps=original.rate_bps,
            amount=-original.amount,
            currency=original.currency,
            status="reversed",
            reversal_of=original.id,
            reason=" ".join(reason.split())[:500],
        )
        session.add(reversal)
        await session.flush()
        if was == "approved" and original.amount > 0:
            session.add(
                WalletEntry(
                    agent_id=original.agent_id,
                    kind="reversal",
                    amount=-original.amount,
                    currency=original.currency,
                    commission_id=original.id,
                    description=f"Reversed: commission on {original.label}",
                )
            )
        reversals.append(reversal)
    await session.flush()
    return reversals


async def approve_commissions(
    session: AsyncSession,
    actor: User | None,
    commission_ids: list[int],
    *,
    locale: str = "en",
    link: str = "",
) -> list[Commission]:
    """Approve pending commissions: each credits its agent's wallet once and tells the agent
    "You earned ₹X commission on Policy #Y". Ids that are not pending are skipped."""
    wanted = sorted({int(i) for i in commission_ids})
    if not wanted:
        return []
    candidates = list(
        await session.scalars(
            select(Commission)
            .where(
                Commission.id.in_(wanted),
                Commission.kind == "commission",
                Commission.status == "pending",
            )
            .order_by(Commission.agent_id, Commission.id)
        )
    )
    approved = []
    now = utcnow()
    locked: set[int] = set()
    for commission in candidates:
        if commission.agent_id not in locked:  # fixed order (by agent id): no deadlocks
            await lock_agent(session, commission.agent_id)
            locked.add(commission.agent_id)
        changed = await session.execute(
            update(Commission)
            .where(Commission.id == commission.id, Commission.status == "pending")
            .values(status="approved", approved_by=actor.id if actor else None, approved_at=now)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        commission.status = "approved"
        commission.approved_by = actor.id if actor else None
        commission.approved_at = now
        if commission.amount > 0:
            session.add(
                WalletEntry(
                    agent_id=commission.agent_id,
                    kind="credit",
                    amount=commission.amount,
                    currency=commission.currency,
                    commission_id=commission.id,
                    description=f"Commission on {commission.label} (level {commission.level})",
                )
            )
        approved.append(commission)
    await session.flush()
    if approved:
        found = await session.execute(
            select(Agent.id, Agent.user_id).where(Agent.id.in_({c.agent_id for c in approved}))
        )
        users = {row.id: row.user_id for row in found}
        for commission in approved:
            money = format_money(commission.amount, commission.currency, locale)
            await notifications.notify(
                session,
                user_id=users[commission.agent_id],
                title=f"You earned {money} commission on {commission.label}",
                link=link,
                kind="success",
            )
    return approved


COMMISSION_FILTERS = ("pending", "approved", "reversed")


async def list_commissions(
    session: AsyncSession,
    *,
    agent_id: int | None = None,
    status: str | None = None,
    source_type: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[tuple[Commission, Agent, User]]:
    stmt = (
        select(Commission, Agent, User)
        .join(Agent, Agent.id == Commission.agent_id)
        .join(User, User.id == Agent.user_id)
        .order_by(Commission.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if agent_id is not None:
        stmt = stmt.where(Commission.agent_id == agent_id)
    if status in COMMISSION_FILTERS:
        stmt = stmt.where(Commission.status == status, Commission.kind == "commission")
    elif status == "reversal":
        stmt = stmt.where(Commission.kind == "reversal")
    if source_type:
        stmt = stmt.where(Commission.source_type == source_type)
    return [(r[0], r[1], r[2]) for r in await session.execute(stmt)]


async def commission_totals(session: AsyncSession, agent_id: int) -> dict[str, int]:
    """Sum of commission amounts by status for one agent (reversal rows excluded)."""
    rows = await session.execute(
        select(Commission.status, func.coalesce(func.sum(Commission.amount), 0))
        .where(Commission.agent_id == agent_id, Commission.kind == "commission")
        .group_by(Commission.status)
    )
    totals = dict.fromkeys(COMMISSION_FILTERS, 0)
    totals.update({status: int(total) for status, total in rows})
    return totals


async def sales_count(session: AsyncSession, agent_id: int) -> int:
    """Sales the agent made itself (level-1 commissions), cancelled ones included."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Commission)
            .where(
                Commission.agent_id == agent_id,
                Commission.kind == "commission",
                Commission.level == 1,
            )
        )
        or 0
    )
