"""Payment pages: the sandbox's hosted card page and the providers' webhook endpoint.

``POST /payments/webhooks/{provider}`` is called by the provider's servers, not a browser:
it carries no CSRF token and is authenticated by its signature instead (the CSRF check
exempts exactly this route pattern, see ``mercato.web.csrf``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.i18n import N_
from mercato.kit.security import constant_time_equal
from mercato.payments import service
from mercato.payments.providers import get_provider, sandbox
from mercato.web.deps import Db, Runtime
from mercato.web.templating import render

router = APIRouter()
webhooks = APIRouter()
MAX_WEBHOOK_BYTES = 512 * 1024


@webhooks.post("/payments/webhooks/{provider}", include_in_schema=False)
async def webhook(request: Request, provider: str, db: Db, runtime: Runtime) -> Response:
    get_provider(runtime, provider)  # 404 for a provider this store does not use
    payload = await request.body()
    if len(payload) > MAX_WEBHOOK_BYTES:
        return JSONResponse({"detail": "The event is too large."}, status_code=413)
    try:
        outcome = await service.handle_webhook(db, runtime, provider, payload, request.headers)
    except service.WebhookRejected:
        # 400 rolls the request back: nothing about a forged event is stored.
        return JSONResponse({"detail": "The signature did not verify."}, status_code=400)
    return JSONResponse({"received": True, "outcome": outcome})


def _checked_urls(request: Request, runtime, reference: str, source) -> tuple[str, str]:
    return_url = str(source.get("return") or "")
    cancel_url = str(source.get("cancel") or "")
    signature = str(source.get("sig") or "")
    expected = sandbox.return_signature(runtime, reference, return_url, cancel_url)
    if not return_url or not constant_time_equal(signature, expected):
        raise NotFound("This payment page does not exist or has expired.")
    return return_url, cancel_url


async def _page(
    request: Request,
    db,
    runtime,
    reference: str,
    source,
    *,
    error: str = "",
    form: dict | None = None,
    status_code: int = 200,
) -> Response:
    get_provider(runtime, "sandbox")
    return_url, cancel_url = _checked_urls(request, runtime, reference, source)
    attempt, order = await service.sandbox_attempt(db, reference)
    return render(
        request,
        "payments/sandbox.html",
        {
            "attempt": attempt,
            "order": order,
            "return_url": return_url,
            "cancel_url": cancel_url,
            "sig": source.get("sig"),
            "error": error,
            "form": form or {},
            "cards": [
                (sandbox.CARD_SUCCEEDS, N_("Payment succeeds")),
                (sandbox.CARD_DECLINED, N_("Card is declined")),
                (sandbox.CARD_DELAYED, N_("Bank takes a few seconds, then succeeds")),
            ],
        },
        status_code=status_code,
    )


@router.get("/payments/sandbox/{reference}")
async def sandbox_page(request: Request, reference: str, db: Db, runtime: Runtime) -> Response:
    response = await _page(request, db, runtime, reference, request.query_params)
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/payments/sandbox/{reference}")
async def sandbox_pay(request: Request, reference: str, db: Db, runtime: Runtime) -> Response:
    form = await request.form()
    return_url, _ = _checked_urls(request, runtime, reference, form)
    card = str(form.get("card_number") or "")
    values = {"card_number": card, "name": str(form.get("name") or "")[:100]}
    try:
        _check_card_fields(form)
        await service.sandbox_submit(db, runtime, reference, card)
    except ValidationFailed as exc:
        return await _page(
            request, db, runtime, reference, form, error=exc.message, form=values, status_code=422
        )
    except Conflict:
        pass  # submitted twice (back button): the order page shows where it stands
    return RedirectResponse(return_url, status_code=303)


def _check_card_fields(form) -> None:
    expiry = "".join(str(form.get("expiry") or "").split())
    cvc = str(form.get("cvc") or "").strip()
    month, _, year = expiry.partition("/")
    if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12 and len(year) == 2):
        raise ValidationFailed("Enter the expiry date as MM/YY, for example 12/34.", field="expiry")
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        raise ValidationFailed("Enter the 3 or 4 digit security code.", field="cvc")
