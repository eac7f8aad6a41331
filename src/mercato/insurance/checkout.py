"""Razorpay's web Checkout for a premium: the page that opens it and the form its success
handler posts back. Only this page's response widens the CSP (``web.csp.allow_sources``), and
only while Razorpay is enabled for the store; the payment is credited when the signature
verifies with the SDK (or when the signed webhook arrives first), once either way."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from mercato.identity.deps import CurrentUser
from mercato.insurance import gateways, payments
from mercato.kit.errors import DomainError, NotFound
from mercato.models.insurance import PolicyPayment
from mercato.web.csp import allow_sources
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()

# What Razorpay Checkout loads: its script, its frames (the payment form and 3-D Secure),
# its API calls and its logos. Nothing else is widened.
CHECKOUT_SCRIPT = "https://checkout.razorpay.com/v1/checkout.js"
RAZORPAY_SOURCES = {
    "script-src": (CHECKOUT_SCRIPT,),
    "frame-src": ("https://api.razorpay.com", "https://checkout.razorpay.com"),
    "connect-src": ("https://api.razorpay.com", "https://lumberjack.razorpay.com"),
    "img-src": ("https://cdn.razorpay.com",),
}


async def _payment(db, runtime, user, order_ref: str) -> PolicyPayment:
    if not gateways.razorpay_configured(runtime):
        raise NotFound("We could not find that payment.")
    payment = await db.scalar(
        select(PolicyPayment).where(
            PolicyPayment.provider == gateways.RAZORPAY, PolicyPayment.order_ref == order_ref
        )
    )
    if payment is None or payment.customer_id != user.id:
        raise NotFound("We could not find that payment.")
    return payment


@router.get("/insurance/razorpay/{order_ref}")
async def checkout_page(
    request: Request, order_ref: str, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    payment = await _payment(db, runtime, user, order_ref)
    if payment.status == "created":
        for directive, sources in RAZORPAY_SOURCES.items():
            allow_sources(request, directive, *sources)
    return render(
        request,
        "insurance/razorpay.html",
        {
            "payment": payment,
            "key_id": gateways.razorpay_settings().key_id,
            "checkout_script": CHECKOUT_SCRIPT,
            "customer": user,
            "errors": {},
        },
    )


@router.post("/insurance/razorpay/{order_ref}")
async def checkout_verify(
    request: Request, order_ref: str, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    """Checkout's success handler fills this form (payment id, order id, signature)."""
    payment = await _payment(db, runtime, user, order_ref)
    form = await request.form()
    if str(form.get("razorpay_order_id") or "") != order_ref:
        return redirect(
            request, f"account/policies/{payment.policy_id}", "That payment did not match.", "error"
        )
    try:
        _, outcome = await payments.verify_checkout(
            db,
            runtime,
            user,
            order_ref,
            str(form.get("razorpay_payment_id") or "")[:100],
            str(form.get("razorpay_signature") or "")[:200],
        )
    except DomainError as exc:
        # A refusal is a 4xx and nothing is written; the customer may try again.
        return redirect(request, f"account/policies/{payment.policy_id}", exc.message, "error")
    message = (
        "Payment received. Your application now waits for approval."
        if outcome in ("paid", "already credited")
        else "The payment could not be applied to this application; it will be refunded."
    )
    return redirect(request, f"account/policies/{payment.policy_id}", message)
