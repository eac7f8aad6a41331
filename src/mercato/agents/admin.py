"""Admin pages of the agent network: agents (tree, approve/reject, the one audited KYC view),
commissions (filter, approve one or many), commission settings with history, withdrawals
(approve with a reference, reject with a reason). Every decision writes an audit row."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.agents import kyc as kyc_rules
from mercato.agents import permissions as perms
from mercato.agents import service, views, wallet
from mercato.agents.api import IdPath
from mercato.agents.pages import parse_amount
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError, NotFound, ValidationFailed
from mercato.models import Agent, User
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/agents")
Manager = Annotated[User, Depends(require_permission(perms.MANAGE))]
KycReader = Annotated[User, Depends(require_permission(perms.KYC_READ))]
CommissionManager = Annotated[User, Depends(require_permission(perms.COMMISSIONS))]
SettingsWriter = Annotated[User, Depends(require_permission(perms.SETTINGS))]
WithdrawalManager = Annotated[User, Depends(require_permission(perms.WITHDRAWALS))]
STATUSES = ("pending", "approved", "rejected", "suspended")


@router.get("")
async def agents_page(request: Request, db: Db, _: Manager) -> Response:
    status = request.query_params.get("status") or ""
    rows = await service.whole_tree(db)
    flat = [views.agent_view(a, u) for a, u in rows]
    counts = {s: sum(1 for r in flat if r["status"] == s) for s in STATUSES}
    return admin_render(
        request,
        "admin/agents.html",
        {
            "tree": views.nest(flat, None),
            "pending": [r for r in flat if r["status"] == "pending"],
            "listed": [r for r in flat if r["status"] == status] if status else [],
            "status": status,
            "counts": counts,
        },
        section="agents",
    )


async def _detail(request: Request, db: Db, agent_id: int, kyc=None) -> Response:
    agent = await db.get(Agent, agent_id)
    if agent is None:
        raise NotFound("No such agent.")
    user = await db.get(User, agent.user_id)
    members = await service.subtree(db, agent)
    return admin_render(
        request,
        "admin/agent.html",
        {
            "agent": agent,
            "profile": views.agent_view(agent, user),
            "kyc": kyc,
            "stats": await views.stats(db, agent) if agent.status != "pending" else None,
            "upline": await views.hierarchy(db, agent),
            "team": views.nest(views.team_view(members, agent), agent.id),
        },
        section="agents",
    )


@router.get("/{agent_id:int}")
async def agent_page(request: Request, agent_id: IdPath, db: Db, _: Manager) -> Response:
    return await _detail(request, db, agent_id)


@router.post("/{agent_id:int}/kyc")
async def reveal_kyc(
    request: Request, agent_id: IdPath, db: Db, runtime: Runtime, actor: KycReader
) -> Response:
    """The only unmasked view of KYC: a POST (never cached, never prefetched) that is
    audited before anything is shown."""
    agent = await db.get(Agent, agent_id)
    if agent is None:
        raise NotFound("No such agent.")
    await audit.record(
        db,
        actor=actor,
        action="agent.kyc.view",
        entity_type="agent",
        entity_id=agent.id,
        request=request,
    )
    kyc = kyc_rules.opened(service.cipher_for(runtime.secret), agent)
    return await _detail(request, db, agent_id, kyc=kyc)


@router.post("/{agent_id:int}/{decision}")
async def decide_agent(
    request: Request, agent_id: IdPath, decision: str, db: Db, runtime: Runtime, actor: Manager
) -> Response:
    form = await request.form()
    link = runtime.path("agents/dashboard")
    before = await db.get(Agent, agent_id)
    if before is None:
        raise NotFound("No such agent.")
    was = before.status
    try:
        if decision == "approve":
            agent = await service.approve_agent(db, actor, agent_id, link=link)
        elif decision == "reject":
            reason = str(form.get("reason") or "")
            agent = await service.reject_agent(db, actor, agent_id, reason, link=link)
        elif decision == "suspend":
            agent = await service.suspend_agent(db, actor, agent_id)
        else:
            raise NotFound("No such action.")
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return redirect(request, f"admin/agents/{agent_id}", exc.message, "error")
    await audit.record(
        db,
        actor=actor,
        action=f"agent.{decision}",
        entity_type="agent",
        entity_id=agent.id,
        before={"status": was},
        after={"status": agent.status, "code": agent.code, "reason": agent.rejection_reason},
        request=request,
    )
    message = {
        "approve": f"Approved; agent code {agent.code}.",
        "reject": "Application rejected.",
        "suspend": "Agent suspended: no new commissions.",
    }[decision]
    back = str(form.get("back") or "")
    return redirect(
        request, "admin/agents" if back == "list" else f"admin/agents/{agent.id}", message
    )


# --- commissions --------------------------------------------------------------------------


@router.get("/commissions")
async def commissions_page(request: Request, db: Db, _: CommissionManager) -> Response:
    status = request.query_params.get("status") or "pending"
    agent_id = request.query_params.get("agent") or ""
    rows = await service.list_commissions(
        db, status=status, agent_id=int(agent_id) if agent_id.isdigit() else None
    )
    return admin_render(
        request,
        "admin/agent_commissions.html",
        {"rows": rows, "status": status, "agent_filter": agent_id},
        section="agents/commissions",
    )


@router.post("/commissions/approve")
async def approve_commissions(
    request: Request, db: Db, runtime: Runtime, actor: CommissionManager
) -> Response:
    form = await request.form()
    ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit()]
    return await _approve(request, db, runtime, actor, ids)


@router.post("/commissions/{commission_id:int}/approve")
async def approve_one_commission(
    request: Request, commission_id: IdPath, db: Db, runtime: Runtime, actor: CommissionManager
) -> Response:
    return await _approve(request, db, runtime, actor, [commission_id])


async def _approve(request: Request, db, runtime, actor: User, ids: list[int]) -> Response:
    approved = await service.approve_commissions(
        db, actor, ids, locale=runtime.config.locale, link=runtime.path("agents/dashboard")
    )
    for c in approved:
        await audit.record(
            db,
            actor=actor,
            action="commission.approve",
            entity_type="agent_commission",
            entity_id=c.id,
            before={"status": "pending"},
            after={"status": "approved", "amount": c.amount},
            request=request,
        )
    if not approved:
        return redirect(
            request,
            "admin/agents/commissions",
            "Nothing to approve: select pending commissions.",
            "warning",
        )
    return redirect(
        request,
        "admin/agents/commissions",
        f"{len(approved)} commission{'s' if len(approved) != 1 else ''} approved and credited.",
    )


# --- settings -----------------------------------------------------------------------------


@router.get("/settings")
async def settings_page(request: Request, db: Db, _: Manager) -> Response:
    return admin_render(
        request,
        "admin/agent_settings.html",
        {
            "rates": await service.current_rates(db),
            "history": await service.settings_history(db),
            "min_withdrawal": await wallet.min_withdrawal(db),
            "max_levels": service.MAX_LEVELS,
            "errors": {},
        },
        section="agents/settings",
    )


def _percent_to_bps(text: str, field: str) -> int:
    try:
        value = Decimal(text.replace("%", "").strip() or "0")
    except InvalidOperation as exc:
        raise ValidationFailed("Give a percentage such as 10 or 2.5.", field=field) from exc
    bps = value * 100
    if not bps.is_finite() or bps != bps.to_integral_value():
        raise ValidationFailed("At most two decimals of a percent.", field=field)
    return int(bps)


@router.post("/settings")
async def save_settings(
    request: Request, db: Db, runtime: Runtime, actor: SettingsWriter
) -> Response:
    form = await request.form()
    raw = [str(v) for v in form.getlist("rate")]
    # Trailing empty levels are dropped: that is how the number of levels is reduced.
    while raw and not raw[-1].strip():
        raw.pop()
    before = await service.current_rates(db)
    try:
        rates = [_percent_to_bps(v, f"rate.{i}") for i, v in enumerate(raw)]
        version = await service.save_rates(db, actor, rates, str(form.get("note") or ""))
        minimum = str(form.get("min_withdrawal") or "").strip()
        if minimum:
            await wallet.set_min_withdrawal(db, parse_amount(minimum, runtime.config.currency))
    except DomainError as exc:
        return redirect(request, "admin/agents/settings", exc.message, "error")
    await audit.record(
        db,
        actor=actor,
        action="agent.settings",
        entity_type="agent_commission_settings",
        entity_id=version,
        before={"rates_bps": before},
        after={"rates_bps": rates, "min_withdrawal": await wallet.min_withdrawal(db)},
        request=request,
    )
    return redirect(request, "admin/agents/settings", f"Saved as version {version}.")


# --- withdrawals --------------------------------------------------------------------------


@router.get("/withdrawals")
async def withdrawals_page(request: Request, db: Db, _: WithdrawalManager) -> Response:
    status = request.query_params.get("status") or "pending"
    rows = await wallet.list_withdrawals(db, status=status)
    return admin_render(
        request,
        "admin/agent_withdrawals.html",
        {"rows": rows, "status": status},
        section="agents/withdrawals",
    )


@router.post("/withdrawals/{withdrawal_id:int}/{decision}")
async def decide_withdrawal(
    request: Request,
    withdrawal_id: IdPath,
    decision: str,
    db: Db,
    runtime: Runtime,
    actor: WithdrawalManager,
) -> Response:
    form = await request.form()
    kwargs = {"locale": runtime.config.locale, "link": runtime.path("agents/dashboard")}
    try:
        if decision == "approve":
            row = await wallet.approve_withdrawal(
                db, actor, withdrawal_id, str(form.get("reference") or ""), **kwargs
            )
        elif decision == "reject":
            row = await wallet.reject_withdrawal(
                db, actor, withdrawal_id, str(form.get("reason") or ""), **kwargs
            )
        else:
            raise NotFound("No such action.")
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return redirect(request, "admin/agents/withdrawals", exc.message, "error")
    await audit.record(
        db,
        actor=actor,
        action=f"withdrawal.{decision}",
        entity_type="agent_withdrawal",
        entity_id=row.id,
        before={"status": "pending"},
        after={"status": row.status, "reference": row.reference, "reason": row.reason},
        request=request,
    )
    done = "approved and debited" if row.status == "approved" else "rejected; nothing deducted"
    return redirect(request, "admin/agents/withdrawals", f"Withdrawal #{row.id} {done}.")
