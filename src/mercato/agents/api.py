"""The agent network in the JSON API, under /<store>/api/v1/agents (the seed's endpoint lists).

Agent endpoints take a user's access token (never an API key: they are a person's money) and
only ever read the caller's own agent, team and wallet; ids of other agents' records answer
404. Admin endpoints need the permission named on each (tokens or scoped API keys).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from mercato.agents import kyc as kyc_rules
from mercato.agents import permissions as perms
from mercato.agents import service, views, wallet
from mercato.identity.api_deps import ApiPrincipal, Principal, require_api_permission
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.models import Agent, Commission, Withdrawal
from mercato.platform import audit
from mercato.web.deps import Db, Runtime

router = APIRouter(prefix="/agents", tags=["agents"])
MAX_ID = 2**63 - 1
MAX_AMOUNT = 10**15  # minor units; far above any sale, inside BIGINT
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def _person(principal: ApiPrincipal) -> ApiPrincipal:
    if principal.via != "token":
        raise PermissionDenied("Agent endpoints are used with a person's access token.")
    return principal


async def _own_agent(db, principal: ApiPrincipal) -> Agent:
    """The caller's approved agent account (role ``agent`` with agents.self)."""
    _person(principal)
    if not principal.can(perms.SELF):
        raise PermissionDenied("This is for approved agents.")
    agent = await service.agent_for_user(db, principal.user.id)
    if agent is None or agent.status != "approved":
        raise PermissionDenied("This is for approved agents.")
    return agent


Manager = Annotated[ApiPrincipal, Depends(require_api_permission(perms.MANAGE))]
CommissionManager = Annotated[ApiPrincipal, Depends(require_api_permission(perms.COMMISSIONS))]
SettingsWriter = Annotated[ApiPrincipal, Depends(require_api_permission(perms.SETTINGS))]
WithdrawalManager = Annotated[ApiPrincipal, Depends(require_api_permission(perms.WITHDRAWALS))]


# --- agents -------------------------------------------------------------------------------


class RegisterIn(BaseModel):
    pan: str = Field(max_length=20, examples=["ABCPE1234F"])
    aadhaar: str = Field(max_length=20, description="12 digits (spaces allowed)")
    bank_name: str = Field(max_length=120)
    account_number: str = Field(max_length=30)
    ifsc: str = Field(max_length=20, examples=["SBIN0001234"])
    phone: str = Field("", max_length=32)
    parent_code: str = Field("", max_length=20, description="The recruiting agent's code")


@router.post("/register", status_code=201)
async def register(body: RegisterIn, principal: Principal, db: Db, runtime: Runtime) -> dict:
    """Apply to be an agent (KYC checked, stored encrypted); an admin approves."""
    _person(principal)
    kyc = kyc_rules.clean(
        pan=body.pan,
        aadhaar=body.aadhaar,
        bank_name=body.bank_name,
        account_number=body.account_number,
        ifsc=body.ifsc,
    )
    agent = await service.register_agent(
        db,
        user=principal.user,
        cipher=service.cipher_for(runtime.secret),
        currency=runtime.config.currency,
        kyc=kyc,
        parent_code=body.parent_code,
        phone=body.phone,
        admin_link=runtime.path("admin/agents"),
    )
    return views.agent_view(agent, principal.user)


@router.get("/profile")
async def profile(principal: Principal, db: Db) -> dict:
    """The caller's agent account or application (KYC masked)."""
    _person(principal)
    agent = await service.agent_for_user(db, principal.user.id)
    if agent is None:
        raise NotFound("You have not applied to be an agent.")
    return views.agent_view(agent, principal.user)


class ProfileIn(BaseModel):
    phone: str | None = Field(None, max_length=32)
    bank_name: str | None = Field(None, max_length=120)
    account_number: str | None = Field(None, max_length=30)
    ifsc: str | None = Field(None, max_length=20)


@router.put("/profile")
async def update_profile(body: ProfileIn, principal: Principal, db: Db, runtime: Runtime) -> dict:
    """Change the phone or the payout account (all three bank fields together)."""
    _person(principal)
    agent = await service.agent_for_user(db, principal.user.id)
    if agent is None:
        raise NotFound("You have not applied to be an agent.")
    bank = None
    if body.bank_name is not None or body.account_number is not None or body.ifsc is not None:
        if body.bank_name is None or body.account_number is None or body.ifsc is None:
            raise ValidationFailed(
                "Change the bank name, account number and IFSC together.", field="account_number"
            )
        bank = (body.bank_name, body.account_number, body.ifsc)
    await service.update_profile(
        db, agent, cipher=service.cipher_for(runtime.secret), phone=body.phone, bank=bank
    )
    return views.agent_view(agent, principal.user)


@router.get("/hierarchy")
async def hierarchy(principal: Principal, db: Db) -> dict:
    agent = await _own_agent(db, principal)
    return {"upline": await views.hierarchy(db, agent)}


@router.get("/team")
async def team(principal: Principal, db: Db) -> dict:
    """Everyone recruited below the caller, in tree order."""
    agent = await _own_agent(db, principal)
    return {"team": views.team_view(await service.subtree(db, agent), agent)}


@router.get("/team/{member_id:int}")
async def team_member(member_id: IdPath, principal: Principal, db: Db) -> dict:
    agent = await _own_agent(db, principal)
    member = await db.get(Agent, member_id)
    if member is None or member.id == agent.id or not member.path.startswith(agent.path):
        raise NotFound("No such agent in your team.")
    members = await service.subtree(db, member)
    return {
        "agent": next(
            {"id": a.id, "name": u.name, "code": a.code, "status": a.status, "level": a.level}
            for a, u in members
            if a.id == member.id
        ),
        "team": views.team_view(members, member),
    }


@router.get("/stats")
async def stats(principal: Principal, db: Db) -> dict:
    agent = await _own_agent(db, principal)
    return await views.stats(db, agent)


@router.get("/wallet")
async def get_wallet(principal: Principal, db: Db) -> dict:
    """Balance (always the ledger's sum), what pending withdrawals hold, and the ledger."""
    agent = await _own_agent(db, principal)
    summary = await wallet.summary(db, agent.id)
    return {
        "currency": agent.currency,
        "balance": summary.balance,
        "available": summary.available,
        "pending_withdrawals": summary.pending,
        "total_earnings": summary.earned,
        "total_withdrawals": summary.withdrawn,
        "min_withdrawal": await wallet.min_withdrawal(db),
        "ledger": [views.entry_view(e) for e in await wallet.ledger(db, agent.id)],
    }


class WithdrawIn(BaseModel):
    amount: int = Field(
        gt=0, le=MAX_AMOUNT, description="Minor units of the agent's currency (paise)."
    )


@router.post("/withdraw", status_code=201)
async def withdraw(body: WithdrawIn, principal: Principal, db: Db, runtime: Runtime) -> dict:
    """Request a payout to the bank account on file (checked against the available balance
    and the store's minimum)."""
    agent = await _own_agent(db, principal)
    withdrawal = await wallet.request_withdrawal(
        db,
        agent.id,
        body.amount,
        service.cipher_for(runtime.secret),
        locale=runtime.config.locale,
        admin_link=runtime.path("admin/agents/withdrawals"),
    )
    return views.withdrawal_view(withdrawal)


@router.get("/withdrawals")
async def withdrawals(principal: Principal, db: Db) -> dict:
    agent = await _own_agent(db, principal)
    rows = await wallet.list_withdrawals(db, agent_id=agent.id)
    return {"withdrawals": [views.withdrawal_view(w) for w, _, _ in rows]}


@router.get("/withdrawals/{withdrawal_id:int}")
async def withdrawal(withdrawal_id: IdPath, principal: Principal, db: Db) -> dict:
    agent = await _own_agent(db, principal)
    row = await db.get(Withdrawal, withdrawal_id)
    if row is None or row.agent_id != agent.id:
        raise NotFound("No such withdrawal.")
    return views.withdrawal_view(row)


@router.get("/commissions")
async def commissions(principal: Principal, db: Db, status: str | None = None) -> dict:
    agent = await _own_agent(db, principal)
    rows = await service.list_commissions(db, agent_id=agent.id, status=status)
    return {
        "totals": await service.commission_totals(db, agent.id),
        "commissions": [views.commission_view(c) for c, _, _ in rows],
    }


@router.get("/commissions/{commission_id:int}")
async def commission(commission_id: IdPath, principal: Principal, db: Db) -> dict:
    agent = await _own_agent(db, principal)
    row = await db.get(Commission, commission_id)
    if row is None or row.agent_id != agent.id:
        raise NotFound("No such commission.")
    return views.commission_view(row)


@router.get("/policies")
async def policies(principal: Principal, db: Db) -> dict:
    """Sales the agent made itself (policies sold, in the insurance store)."""
    agent = await _own_agent(db, principal)
    return {"sales": await views.sales(db, agent.id)}


# --- admin --------------------------------------------------------------------------------


@router.get("/admin/agents")
async def admin_agents(_: Manager, db: Db, status: str | None = None) -> dict:
    """Every agent in tree order (parent before its team), KYC masked."""
    rows = await service.whole_tree(db)
    return {"agents": [views.agent_view(a, u) for a, u in rows if not status or a.status == status]}


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.patch("/admin/agents/{agent_id:int}/approve")
async def admin_approve_agent(agent_id: IdPath, principal: Manager, db: Db) -> dict:
    agent = await service.approve_agent(db, principal.user, agent_id)
    await _audit(db, principal, "agent.approve", "agent", agent.id, {"status": "approved"})
    return views.agent_view(agent)


@router.patch("/admin/agents/{agent_id:int}/reject")
async def admin_reject_agent(agent_id: IdPath, body: ReasonIn, principal: Manager, db: Db) -> dict:
    agent = await service.reject_agent(db, principal.user, agent_id, body.reason)
    await _audit(db, principal, "agent.reject", "agent", agent.id, {"reason": body.reason})
    return views.agent_view(agent)


@router.get("/admin/commissions")
async def admin_commissions(
    _: CommissionManager,
    db: Db,
    status: str | None = None,
    agent_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    source_type: str | None = None,
) -> dict:
    rows = await service.list_commissions(
        db, agent_id=agent_id, status=status, source_type=source_type
    )
    return {
        "commissions": [
            {**views.commission_view(c), "agent_name": u.name, "agent_code": a.code}
            for c, a, u in rows
        ]
    }


@router.patch("/admin/commissions/{commission_id:int}/approve")
async def admin_approve_commission(
    commission_id: IdPath, principal: CommissionManager, db: Db, runtime: Runtime
) -> dict:
    approved = await _approve(db, principal, runtime, [commission_id])
    if not approved:
        row = await db.get(Commission, commission_id)
        if row is None:
            raise NotFound("No such commission.")
        raise Conflict(f"This commission is {row.status}; only pending ones can be approved.")
    return views.commission_view(approved[0])


class PreviewIn(BaseModel):
    agent_id: int = Field(ge=1, le=MAX_ID)
    base_amount: int = Field(gt=0, le=MAX_AMOUNT, description="Minor units of the sale")


@router.post("/admin/commissions/calculate")
async def admin_calculate(body: PreviewIn, _: CommissionManager, db: Db) -> dict:
    """What a sale by this agent would pay each level today; records nothing."""
    rows = await service.preview_commissions(db, body.agent_id, body.base_amount)
    levels = [
        {"level": lvl, "agent_id": a.id, "agent_code": a.code, "rate_bps": rate, "amount": amt}
        for lvl, a, rate, amt in rows
    ]
    return {"levels": levels, "total": sum(row["amount"] for row in levels)}


class BulkIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=500)


@router.post("/admin/commissions/bulk-approve")
async def admin_bulk_approve(
    body: BulkIn, principal: CommissionManager, db: Db, runtime: Runtime
) -> dict:
    """Approve several; ids that are not pending are skipped and listed."""
    approved = await _approve(db, principal, runtime, body.ids)
    done = {c.id for c in approved}
    return {
        "approved": [views.commission_view(c) for c in approved],
        "skipped": sorted(set(body.ids) - done),
    }


async def _approve(db, principal, runtime, ids: list[int]) -> list[Commission]:
    approved = await service.approve_commissions(
        db,
        principal.user,
        ids,
        locale=runtime.config.locale,
        link=runtime.path("agents/dashboard"),
    )
    for c in approved:
        await _audit(db, principal, "commission.approve", "agent_commission", c.id, {})
    return approved


@router.get("/admin/commission-settings")
async def admin_settings(_: Manager, db: Db) -> dict:
    history = await service.settings_history(db)
    return {
        "rates_bps": await service.current_rates(db),
        "min_withdrawal": await wallet.min_withdrawal(db),
        "history": [
            {"version": h.version, "rates_bps": h.rates_bps, "note": h.note, "at": h.created_at}
            for h in history
        ],
    }


class SettingsIn(BaseModel):
    rates_bps: list[Annotated[int, Field(ge=0, le=10_000)]] = Field(
        min_length=1, max_length=service.MAX_LEVELS, description="Level 1 first; 1000 = 10 %"
    )
    note: str = Field("", max_length=300)
    min_withdrawal: int | None = Field(None, gt=0, le=MAX_AMOUNT, description="Minor units")


@router.post("/admin/commission-settings", status_code=201)
async def admin_save_settings(body: SettingsIn, principal: SettingsWriter, db: Db) -> dict:
    """Save new rates as a new version (history is kept; recorded commissions keep theirs)."""
    before = await service.current_rates(db)
    version = await service.save_rates(db, principal.user, body.rates_bps, body.note)
    if body.min_withdrawal is not None:
        await wallet.set_min_withdrawal(db, body.min_withdrawal)
    await _audit(
        db,
        principal,
        "agent.settings",
        "agent_commission_settings",
        version,
        {"rates_bps": body.rates_bps, "min_withdrawal": body.min_withdrawal},
        before={"rates_bps": before},
    )
    return {"version": version, "rates_bps": body.rates_bps}


@router.get("/admin/withdrawals")
async def admin_withdrawals(_: WithdrawalManager, db: Db, status: str | None = None) -> dict:
    rows = await wallet.list_withdrawals(db, status=status)
    return {
        "withdrawals": [
            {**views.withdrawal_view(w), "agent_name": u.name, "agent_code": a.code}
            for w, a, u in rows
        ]
    }


class DecisionIn(BaseModel):
    action: Literal["approve", "reject"]
    reference: str = Field("", max_length=100, description="Bank transfer reference (approve)")
    reason: str = Field("", max_length=500, description="Why (reject)")


@router.patch("/admin/withdrawals/{withdrawal_id:int}")
async def admin_decide_withdrawal(
    withdrawal_id: IdPath, body: DecisionIn, principal: WithdrawalManager, db: Db, runtime: Runtime
) -> dict:
    kwargs: dict[str, Any] = {
        "locale": runtime.config.locale,
        "link": runtime.path("agents/dashboard"),
    }
    if body.action == "approve":
        row = await wallet.approve_withdrawal(
            db, principal.user, withdrawal_id, body.reference, **kwargs
        )
    else:
        row = await wallet.reject_withdrawal(
            db, principal.user, withdrawal_id, body.reason, **kwargs
        )
    await _audit(
        db,
        principal,
        f"withdrawal.{body.action}",
        "agent_withdrawal",
        row.id,
        {"status": row.status, "reference": row.reference, "reason": row.reason},
    )
    return views.withdrawal_view(row)


async def _audit(db, principal, action, entity_type, entity_id, after, before=None) -> None:
    await audit.record(
        db,
        actor=principal.user,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )
