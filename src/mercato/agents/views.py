"""Read models shared by the agent pages and the JSON API: what an agent (or an admin) sees,
always with KYC masked. Each function runs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.agents import service, wallet
from mercato.models import Agent, Commission, User, WalletEntry, Withdrawal


def agent_view(agent: Agent, user: User | None = None) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": user.name if user else "",
        "email": user.email if user else "",
        "code": agent.code,
        "status": agent.status,
        "level": agent.level,
        "parent_id": agent.parent_id,
        "currency": agent.currency,
        "phone": agent.phone,
        "kyc": {
            "pan": agent.pan_hint,
            "aadhaar": agent.aadhaar_hint,
            "account_number": agent.account_hint,
            "ifsc": agent.ifsc_hint,
        },
        "rejection_reason": agent.rejection_reason,
        "created_at": agent.created_at,
    }


def team_view(members: list[tuple[Agent, User]], root: Agent) -> list[dict[str, Any]]:
    """The subtree below ``root`` in tree order, with depth relative to it (no KYC)."""
    return [
        {
            "id": a.id,
            "name": u.name,
            "code": a.code,
            "status": a.status,
            "level": a.level,
            "depth": a.level - root.level,
            "parent_id": a.parent_id,
        }
        for a, u in members
        if a.id != root.id
    ]


def commission_view(c: Commission) -> dict[str, Any]:
    return {
        "id": c.id,
        "agent_id": c.agent_id,
        "kind": c.kind,
        "level": c.level,
        "source_type": c.source_type,
        "source_id": c.source_id,
        "label": c.label,
        "base_amount": c.base_amount,
        "rate_bps": c.rate_bps,
        "amount": c.amount,
        "currency": c.currency,
        "status": c.status,
        "reversal_of": c.reversal_of,
        "reason": c.reason,
        "approved_at": c.approved_at,
        "created_at": c.created_at,
    }


def entry_view(e: WalletEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "amount": e.amount,
        "currency": e.currency,
        "commission_id": e.commission_id,
        "withdrawal_id": e.withdrawal_id,
        "description": e.description,
        "created_at": e.created_at,
    }


def withdrawal_view(w: Withdrawal) -> dict[str, Any]:
    return {
        "id": w.id,
        "agent_id": w.agent_id,
        "amount": w.amount,
        "currency": w.currency,
        "status": w.status,
        "bank_name": w.bank_name,
        "account_number": w.account_hint,
        "ifsc": w.ifsc_hint,
        "reference": w.reference,
        "reason": w.reason,
        "decided_at": w.decided_at,
        "created_at": w.created_at,
    }


async def stats(session: AsyncSession, agent: Agent) -> dict[str, Any]:
    summary = await wallet.summary(session, agent.id)
    members = await service.subtree(session, agent)
    return {
        "sales": await service.sales_count(session, agent.id),
        "team_size": len(members) - 1,
        "direct_recruits": sum(1 for a, _ in members if a.parent_id == agent.id),
        "commissions": await service.commission_totals(session, agent.id),
        "wallet": {
            "balance": summary.balance,
            "available": summary.available,
            "pending_withdrawals": summary.pending,
            "total_earnings": summary.earned,
            "total_withdrawals": summary.withdrawn,
        },
        "currency": agent.currency,
    }


async def hierarchy(session: AsyncSession, agent: Agent) -> list[dict[str, Any]]:
    """The agent's upline, top first, ending with the agent itself (names and codes only)."""
    ids = [*reversed(service.ancestor_ids(agent)), agent.id]
    rows = await session.execute(
        select(Agent, User).join(User, User.id == Agent.user_id).where(Agent.id.in_(ids))
    )
    by_id = {a.id: (a, u) for a, u in rows}
    return [
        {"id": i, "name": by_id[i][1].name, "code": by_id[i][0].code, "level": by_id[i][0].level}
        for i in ids
        if i in by_id
    ]


async def sales(session: AsyncSession, agent_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """What the agent sold itself: one line per sale (its level-1 commission)."""
    rows = await session.scalars(
        select(Commission)
        .where(
            Commission.agent_id == agent_id,
            Commission.kind == "commission",
            Commission.level == 1,
        )
        .order_by(Commission.id.desc())
        .limit(limit)
    )
    return [
        {
            "source_type": c.source_type,
            "source_id": c.source_id,
            "label": c.label,
            "base_amount": c.base_amount,
            "commission": c.amount,
            "status": c.status,
            "currency": c.currency,
            "created_at": c.created_at,
        }
        for c in rows
    ]


def nest(rows: list[dict[str, Any]], root_id: int | None) -> list[dict[str, Any]]:
    """Turn tree-ordered rows (each with ``id`` and ``parent_id``) into nested nodes with
    ``children``, for a recursive template loop. Rows whose parent is absent hang at the top."""
    nodes = {r["id"]: {**r, "children": []} for r in rows}
    top: list[dict[str, Any]] = []
    for r in rows:
        parent = nodes.get(r["parent_id"]) if r["parent_id"] != root_id else None
        (parent["children"] if parent else top).append(nodes[r["id"]])
    return top
