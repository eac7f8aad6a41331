"""Business checkout (issue 4): a verified buyer orders the cart with a purchase order
number, a delivery address (the company's by default) and an offline payment method: bank
transfer, cash on delivery, or net terms (Net 15 / Net 30) when an admin granted them to the
company. The order goes through the core checkout (tier prices, MOQ, stock reservation), is
accepted at once by the offline payments core, and gets its invoice with a due date.

Import as ``from mercato.wholesale import business as business_service``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.kit.errors import PermissionDenied, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.commerce import Cart
from mercato.models.orders import Order
from mercato.models.wholesale import WholesaleOrder
from mercato.payments import offline as offline_payments
from mercato.payments.offline import awaiting_payment
from mercato.platform.runtime import StoreRuntime

PO_MAX = 64
# payment method → (offline provider, days until due; None = due on delivery)
METHODS: dict[str, tuple[str, int | None]] = {
    "bank_transfer": ("bank_transfer", 0),
    "cod": ("cash_on_delivery", None),
    "net_15": ("net_terms", 15),
    "net_30": ("net_terms", 30),
}
LABELS = {
    "bank_transfer": "Bank transfer",
    "cod": "Cash on delivery",
    "net_15": "Net 15 (invoice due in 15 days)",
    "net_30": "Net 30 (invoice due in 30 days)",
}
# b2b's Company.net_terms grant → the net methods it allows (Net 30 includes Net 15).
GRANTS = {"none": (), "net15": ("net_15",), "net30": ("net_15", "net_30")}


def methods_for(company: Any) -> list[str]:
    """The payment methods a company may choose."""
    granted = GRANTS.get(getattr(company, "net_terms", "none") or "none", ())
    return ["bank_transfer", "cod", *granted]


def company_address(company: Any, user: Any) -> dict[str, str]:
    """The company's address as a delivery address (the buyer may change it)."""
    first, _, last = (getattr(company, "contact_name", "") or user.name or "").partition(" ")
    return {
        "first_name": first or "Buyer",
        "last_name": last or "-",
        "company": company.name,
        "line1": company.address_line,
        "line2": "",
        "city": company.city,
        "region": getattr(company, "district", "") or "",
        "postal_code": getattr(company, "postal_code", "") or "",
        "country": "BD",
        "phone": getattr(company, "contact_phone", "") or "",
    }


def local_date(runtime: StoreRuntime, when: datetime | None = None) -> date:
    return (when or utcnow()).astimezone(ZoneInfo(runtime.config.timezone)).date()


@dataclass
class BusinessCheckout:
    po_number: str
    address: dict[str, Any]
    shipping_rate_id: int | None
    payment_method: str
    note: str = ""


async def place(
    db: AsyncSession,
    runtime: StoreRuntime,
    cart: Cart,
    user: Any,
    data: BusinessCheckout,
    *,
    idempotency_key: str | None = None,
) -> tuple[Order, WholesaleOrder]:
    """Place the cart as a business order; everything or nothing (the request's
    transaction rolls back on any refusal)."""
    from mercato.b2b import access

    found = await access.abilities_for(db, user)
    if not found.place_orders:
        raise PermissionDenied(
            "Only verified businesses can order. Verify your business first.",
            code="verify_business",
        )
    company = await access.buyer_company(db, user)
    allowed = methods_for(company) if company is not None else ["bank_transfer", "cod"]
    if data.payment_method not in METHODS:
        raise ValidationFailed("Choose a payment method.", field="payment_method")
    if data.payment_method not in allowed:
        raise ValidationFailed(
            "Net terms are for businesses an administrator has granted them to.",
            field="payment_method",
            code="terms_not_granted",
        )
    po_number = " ".join((data.po_number or "").split())
    if len(po_number) > PO_MAX:
        raise ValidationFailed(f"At most {PO_MAX} characters.", field="po_number")
    placed = await checkout_service.place_order(
        db,
        runtime,
        cart,
        CheckoutDetails(
            email="",
            address=data.address,
            shipping_rate_id=data.shipping_rate_id,
            note=data.note,
        ),
        user=user,
        idempotency_key=idempotency_key,
    )
    order = placed.order
    existing = await db.get(WholesaleOrder, order.id)
    if placed.replayed and existing is not None:
        return order, existing
    provider, days = METHODS[data.payment_method]
    await offline_payments.accept(db, runtime, order, provider)
    today = local_date(runtime)
    details = WholesaleOrder(
        order_id=order.id,
        company_id=company.id if company else None,
        company_name=company.name if company else "",
        po_number=po_number,
        payment_method=data.payment_method,
        terms_days=days or 0,
        due_date=None if days is None else today + timedelta(days=days),
    )
    db.add(details)
    await db.flush()
    return order, details


async def details_of(db: AsyncSession, order: Order) -> WholesaleOrder | None:
    return await db.get(WholesaleOrder, order.id)


@dataclass
class InvoiceRow:
    order: Order
    details: WholesaleOrder
    overdue_days: int  # 0 = not overdue


async def open_invoices(
    db: AsyncSession, runtime: StoreRuntime, *, limit: int = 200
) -> list[InvoiceRow]:
    """Business orders awaiting an offline payment, most overdue first."""
    rows = await db.execute(
        select(Order, WholesaleOrder)
        .join(WholesaleOrder, WholesaleOrder.order_id == Order.id)
        .where(Order.payment_status == "unpaid", Order.status.not_in(("cancelled", "refunded")))
        .order_by(WholesaleOrder.due_date.is_(None), WholesaleOrder.due_date, Order.id)
        .limit(limit)
    )
    today = local_date(runtime)
    out = []
    for order, details in rows.all():
        if not awaiting_payment(order):
            continue
        late = (today - details.due_date).days if details.due_date else 0
        out.append(InvoiceRow(order, details, max(0, late)))
    return out


async def orders_of(
    db: AsyncSession, user_id: int, *, limit: int = 100
) -> list[tuple[Order, WholesaleOrder]]:
    """A buyer's business orders, newest first, with their PO number and due date."""
    rows = await db.execute(
        select(Order, WholesaleOrder)
        .join(WholesaleOrder, WholesaleOrder.order_id == Order.id)
        .where(Order.user_id == user_id)
        .order_by(Order.id.desc())
        .limit(limit)
    )
    return [(order, details) for order, details in rows.all()]
