"""Agent pages: apply with KYC (/agents/register) and the agent dashboard (/agents/dashboard:
profile, team tree, stats, sales, commissions by status, wallet ledger, withdrawals and the
withdrawal form). Plain forms with the CSRF token; no JavaScript needed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mercato.agents import kyc as kyc_rules
from mercato.agents import service, views, wallet
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError, ValidationFailed
from mercato.kit.money import Money, minor_digits
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter(prefix="/agents")
KYC_FIELDS = ("pan", "aadhaar", "bank_name", "account_number", "ifsc", "phone", "parent_code")


@router.get("/register")
async def register_form(request: Request, user: CurrentUser, db: Db) -> Response:
    if await service.agent_for_user(db, user.id) is not None:
        return redirect(request, "agents/dashboard")
    code = request.query_params.get("code", "")[:20]
    return render(request, "agents/register.html", {"values": {"parent_code": code}, "errors": {}})


@router.post("/register")
async def register(request: Request, user: CurrentUser, db: Db, runtime: Runtime) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "").strip()[:120] for k in KYC_FIELDS}
    try:
        kyc = kyc_rules.clean(
            pan=values["pan"],
            aadhaar=values["aadhaar"],
            bank_name=values["bank_name"],
            account_number=values["account_number"],
            ifsc=values["ifsc"],
        )
        await service.register_agent(
            db,
            user=user,
            cipher=service.cipher_for(runtime.secret),
            currency=runtime.config.currency,
            kyc=kyc,
            parent_code=values["parent_code"],
            phone=values["phone"],
            admin_link=runtime.path("admin/agents"),
        )
    except DomainError as exc:
        if exc.status_code == 409:
            return redirect(request, "agents/dashboard", exc.message, "warning")
        # Identity numbers are not echoed back into the page; the rest is kept.
        kept = {k: v for k, v in values.items() if k in ("bank_name", "phone", "parent_code")}
        return render(
            request,
            "agents/register.html",
            {"values": kept, "errors": {exc.field or "form": exc.message}},
            status_code=422,
        )
    return redirect(
        request,
        "agents/dashboard",
        "Thank you. We will check your details and tell you when you are approved.",
    )


@router.get("/dashboard")
async def dashboard(request: Request, user: CurrentUser, db: Db) -> Response:
    agent = await service.agent_for_user(db, user.id)
    if agent is None:
        return redirect(request, "agents/register")
    context: dict = {"agent": agent, "profile": views.agent_view(agent, user), "errors": {}}
    if agent.status == "approved":
        status = request.query_params.get("status") or None
        context.update(
            {
                "stats": await views.stats(db, agent),
                "upline": await views.hierarchy(db, agent),
                "team": views.nest(
                    views.team_view(await service.subtree(db, agent), agent), agent.id
                ),
                "sales": await views.sales(db, agent.id, limit=20),
                "commissions": [
                    c
                    for c, _, _ in await service.list_commissions(
                        db, agent_id=agent.id, status=status, limit=50
                    )
                ],
                "status": status,
                "ledger": await wallet.ledger(db, agent.id, limit=50),
                "withdrawals": [
                    w for w, _, _ in await wallet.list_withdrawals(db, agent_id=agent.id, limit=20)
                ],
                "min_withdrawal": await wallet.min_withdrawal(db),
            }
        )
    return render(request, "agents/dashboard.html", context)


@router.post("/withdraw")
async def withdraw(request: Request, user: CurrentUser, db: Db, runtime: Runtime) -> Response:
    agent = await service.agent_for_user(db, user.id)
    if agent is None or agent.status != "approved":
        return redirect(request, "agents/dashboard", "Only approved agents can withdraw.", "error")
    form = await request.form()
    try:
        amount = parse_amount(str(form.get("amount") or ""), agent.currency)
        await wallet.request_withdrawal(
            db,
            agent.id,
            amount,
            service.cipher_for(runtime.secret),
            locale=runtime.config.locale,
            admin_link=runtime.path("admin/agents/withdrawals"),
        )
    except DomainError as exc:
        return redirect(request, "agents/dashboard#withdraw", exc.message, "error")
    return redirect(
        request, "agents/dashboard#withdrawals", "Withdrawal requested. We will tell you when paid."
    )


def parse_amount(text: str, currency: str) -> int:
    """ "1,500.50" rupees → 150050 paise; refuses more decimals than the currency has."""
    cleaned = text.replace(",", "").replace("₹", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValidationFailed("Enter an amount such as 1500 or 1500.50.", field="amount") from exc
    if not value.is_finite() or value <= 0:
        raise ValidationFailed("Enter an amount to withdraw.", field="amount")
    if value.as_tuple().exponent < -minor_digits(currency):  # type: ignore[operator]
        raise ValidationFailed("Use at most two decimals.", field="amount")
    return Money.from_decimal(value, currency).amount
