"""Admin pages for pricing: currency rates and checkout options, shipping zones and
rates, tax rules. Reading needs ``pricing.read``; every change ``pricing.write`` and leaves
an audit row. A bad field re-renders the page with the message beside that form (422)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError
from mercato.models import User
from mercato.models.commerce import CurrencyRate, ShippingRate, ShippingZone, TaxRule
from mercato.pricing import admin_service
from mercato.pricing import service as pricing_service
from mercato.pricing.currency import format_rate
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/pricing")

Reader = Annotated[User, Depends(require_permission("pricing.read"))]
Writer = Annotated[User, Depends(require_permission("pricing.write"))]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _failed(exc: DomainError, form_id: str, values: dict[str, str]) -> dict[str, Any]:
    return {"failed_form": form_id, "errors": {exc.field or "__all__": exc.message},
            "failed_values": values}  # fmt: skip


# ---------------------------------------------------------------- currencies


async def _currencies_page(request: Request, db: Db, extra: dict | None = None, status=200):
    config = request.state.runtime.config
    rates = {r.currency: r for r in await db.scalars(select(CurrencyRate))}
    rows = [
        {"code": code, "rate": format_rate(rates[code].rate_micros) if code in rates else "",
         "rounding_minor": rates[code].rounding_minor if code in rates else 1,
         "is_active": rates[code].is_active if code in rates else False,
         "updated_at": rates[code].updated_at if code in rates else None}
        for code in config.display_currencies
    ]  # fmt: skip
    options = await pricing_service.checkout_options(db)
    return admin_render(
        request, "admin/pricing_currencies.html",
        {"rows": rows, "options": options, "errors": {}, "failed_form": "", **(extra or {})},
        section="pricing", status_code=status,
    )  # fmt: skip


@router.get("")
async def currencies(request: Request, db: Db, _: Reader) -> Response:
    return await _currencies_page(request, db)


@router.post("/currencies/{code}")
async def save_currency(request: Request, code: str, db: Db, actor: Writer) -> Response:
    values = await _form(request)
    try:
        await admin_service.save_rate(db, request, actor, code.upper()[:3], values)
    except DomainError as exc:
        return await _currencies_page(request, db, _failed(exc, code, values), exc.status_code)
    return redirect(request, "admin/pricing", f"The {code.upper()} rate is saved.")


@router.post("/options")
async def save_options(request: Request, db: Db, actor: Writer) -> Response:
    values = await _form(request)
    try:
        await admin_service.save_options(db, request, actor, values)
    except DomainError as exc:
        return await _currencies_page(request, db, _failed(exc, "options", values), 422)
    return redirect(request, "admin/pricing", "Checkout options are saved.")


# ---------------------------------------------------------------- shipping


async def _shipping_page(request: Request, db: Db, extra: dict | None = None, status=200):
    zones = list(
        await db.scalars(
            select(ShippingZone)
            .order_by(ShippingZone.position, ShippingZone.id)
            .options(selectinload(ShippingZone.rates))
        )
    )
    return admin_render(
        request, "admin/pricing_shipping.html",
        {"zones": zones, "errors": {}, "failed_form": "", "kinds": admin_service.KINDS,
         **(extra or {})},
        section="pricing", status_code=status,
    )  # fmt: skip


@router.get("/shipping")
async def shipping(request: Request, db: Db, _: Reader) -> Response:
    return await _shipping_page(request, db)


async def _shipping_change(request: Request, db: Db, form_id: str, change, message: str):
    values = await _form(request)
    try:
        await change(values)
    except DomainError as exc:
        return await _shipping_page(request, db, _failed(exc, form_id, values), exc.status_code)
    return redirect(request, "admin/pricing/shipping", message)


@router.post("/shipping/zones")
async def create_zone(request: Request, db: Db, actor: Writer) -> Response:
    return await _shipping_change(
        request, db, "zone-new",
        lambda v: admin_service.save_zone(db, request, actor, None, v), "The zone is added.",
    )  # fmt: skip


@router.post("/shipping/zones/{zone_id}")
async def update_zone(request: Request, zone_id: int, db: Db, actor: Writer) -> Response:
    return await _shipping_change(
        request, db, f"zone-{zone_id}",
        lambda v: admin_service.save_zone(db, request, actor, zone_id, v), "The zone is saved.",
    )  # fmt: skip


@router.post("/shipping/zones/{zone_id}/delete")
async def delete_zone(request: Request, zone_id: int, db: Db, actor: Writer) -> Response:
    return await _shipping_change(
        request, db, f"zone-{zone_id}",
        lambda v: admin_service.delete_row(db, request, actor, ShippingZone, zone_id),
        "The zone and its rates are deleted.",
    )  # fmt: skip


@router.post("/shipping/zones/{zone_id}/rates")
async def create_rate(request: Request, zone_id: int, db: Db, actor: Writer) -> Response:
    return await _shipping_change(
        request, db, f"rate-new-{zone_id}",
        lambda v: admin_service.save_rate_row(db, request, actor, zone_id=zone_id, values=v),
        "The rate is added.",
    )  # fmt: skip


@router.post("/shipping/rates/{rate_id}")
async def update_rate(request: Request, rate_id: int, db: Db, actor: Writer) -> Response:
    return await _shipping_change(
        request, db, f"rate-{rate_id}",
        lambda v: admin_service.save_rate_row(db, request, actor, rate_id=rate_id, values=v),
        "The rate is saved.",
    )  # fmt: skip


@router.post("/shipping/rates/{rate_id}/delete")
async def delete_rate(request: Request, rate_id: int, db: Db, actor: Writer) -> Response:
    return await _shipping_change(
        request, db, f"rate-{rate_id}",
        lambda v: admin_service.delete_row(db, request, actor, ShippingRate, rate_id),
        "The rate is deleted.",
    )  # fmt: skip


# ---------------------------------------------------------------- tax


async def _tax_page(request: Request, db: Db, extra: dict | None = None, status=200):
    rules = list(await db.scalars(select(TaxRule).order_by(TaxRule.country, TaxRule.region)))
    return admin_render(
        request, "admin/pricing_tax.html",
        {"rules": rules, "errors": {}, "failed_form": "", **(extra or {})},
        section="pricing", status_code=status,
    )  # fmt: skip


@router.get("/tax")
async def tax(request: Request, db: Db, _: Reader) -> Response:
    return await _tax_page(request, db)


async def _tax_change(request: Request, db: Db, form_id: str, change, message: str):
    values = await _form(request)
    try:
        await change(values)
    except DomainError as exc:
        return await _tax_page(request, db, _failed(exc, form_id, values), exc.status_code)
    return redirect(request, "admin/pricing/tax", message)


@router.post("/tax")
async def create_tax(request: Request, db: Db, actor: Writer) -> Response:
    return await _tax_change(
        request, db, "tax-new",
        lambda v: admin_service.save_tax(db, request, actor, None, v), "The tax rule is added.",
    )  # fmt: skip


@router.post("/tax/{rule_id}")
async def update_tax(request: Request, rule_id: int, db: Db, actor: Writer) -> Response:
    return await _tax_change(
        request, db, f"tax-{rule_id}",
        lambda v: admin_service.save_tax(db, request, actor, rule_id, v), "The tax rule is saved.",
    )  # fmt: skip


@router.post("/tax/{rule_id}/delete")
async def delete_tax(request: Request, rule_id: int, db: Db, actor: Writer) -> Response:
    return await _tax_change(
        request, db, f"tax-{rule_id}",
        lambda v: admin_service.delete_row(db, request, actor, TaxRule, rule_id),
        "The tax rule is deleted.",
    )  # fmt: skip
