"""VNPay (Vietnam): a signed redirect to VNPay's payment page and its server-to-server IPN.

VNPay's scheme (API 2.1.0): every ``vnp_*`` parameter except the hash, sorted by name and
URL-encoded as ``key=value`` pairs joined by ``&``, is signed with HMAC-SHA512 and the
merchant's hash secret; the hex digest travels as ``vnp_SecureHash``. Amounts are the
order total × 100 (VNPay's fixed two implied decimals, even for VND).

Only the IPN (``GET /payments/vnpay/ipn``, called by VNPay's servers) can mark an order
paid, and only through ``payments_service.handle_webhook``: the signature and our merchant
code are verified first, the event is stored once under ``txnref:transaction_no:code`` (a
replayed IPN changes nothing), and the engine refuses any amount other than the order's.
The shopper's return to ``vnp_ReturnUrl`` lands on the order page, which only displays the
state. The answer is VNPay's JSON (``RspCode`` 00 confirmed, 01 unknown order, 02 already
confirmed, 04 wrong amount, 97 bad signature, 99 other).

Refunds go through VNPay's merchant API (``vnp_Command=refund``, a JSON POST whose fields
are joined by "|" and signed with HMAC-SHA512): full or partial, with the reference and pay
date of the IPN that confirmed the payment. A refusal, an unsigned or garbled answer raises
ProviderError, and the order is left unchanged.

Settings come from the environment so deployments without VNPay need nothing:
``MERCATO_VNPAY_TMN_CODE``, ``MERCATO_VNPAY_HASH_SECRET`` and optionally
``MERCATO_VNPAY_PAY_URL`` and ``MERCATO_VNPAY_API_URL`` (the sandbox by default).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote_plus
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mercato.kit.time import utcnow
from mercato.payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    ParsedEvent,
    ProviderError,
    ProviderRefund,
    SignatureInvalid,
)

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

SANDBOX_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
VERSION = "2.1.0"
AMOUNT_FACTOR = 100
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_IPN_CHARS = 8192
UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})


def settings() -> tuple[str, str, str]:
    return (
        os.environ.get("MERCATO_VNPAY_TMN_CODE", ""),
        os.environ.get("MERCATO_VNPAY_HASH_SECRET", ""),
        os.environ.get("MERCATO_VNPAY_PAY_URL", SANDBOX_URL),
    )


def configured() -> bool:
    code, secret, _ = settings()
    return bool(code and secret)


def signing_data(params: Mapping[str, str]) -> str:
    """VNPay's canonical text: vnp_* pairs but the hash, sorted, URL-encoded (spaces as +)."""
    pairs = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in UNSIGNED and v != ""
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in pairs)


def sign(secret: str, params: Mapping[str, str]) -> str:
    return hmac.new(secret.encode(), signing_data(params).encode(), hashlib.sha512).hexdigest()


class VnpayProvider:
    name = "vnpay"
    label = "VNPay (ATM, thẻ quốc tế, QR)"

    async def create_checkout(
        self, runtime: StoreRuntime, request: CheckoutRequest
    ) -> CheckoutSession:
        code, secret, pay_url = settings()
        if not (code and secret):
            raise ProviderError("VNPay is not configured.")
        order = request.order
        if order.currency.upper() != "VND":
            raise ProviderError("VNPay takes payments in VND only.")
        now = utcnow().astimezone(VIETNAM)
        expires = (
            request.expires_at.astimezone(VIETNAM)
            if request.expires_at
            else now + timedelta(minutes=15)
        )
        # One reference per attempt: VNPay refuses a TxnRef it has seen the same day.
        reference = f"{order.number}-{secrets.token_hex(4)}"
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": code,
            "vnp_Amount": str(order.total * AMOUNT_FACTOR),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": reference,
            "vnp_OrderInfo": f"Thanh toan don hang {order.number}",
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": request.return_url,
            "vnp_IpAddr": "127.0.0.1",
            "vnp_CreateDate": now.strftime("%Y%m%d%H%M%S"),
            "vnp_ExpireDate": expires.strftime("%Y%m%d%H%M%S"),
        }
        query = signing_data(params)
        url = f"{pay_url}?{query}&vnp_SecureHash={sign(secret, params)}"
        return CheckoutSession(reference, url)

    def verify_webhook(
        self, runtime: StoreRuntime, payload: bytes, headers: Mapping[str, str]
    ) -> ParsedEvent:
        """``payload`` is the IPN's raw query string."""
        code, secret, _ = settings()
        if not secret:
            raise SignatureInvalid("VNPay is not configured")
        text = payload.decode("utf-8", "replace")[:MAX_IPN_CHARS]
        params = dict(parse_qsl(text, keep_blank_values=True))
        given = params.get("vnp_SecureHash", "").lower()
        if not given or not hmac.compare_digest(given, sign(secret, params)):
            raise SignatureInvalid("vnp_SecureHash does not match")
        if params.get("vnp_TmnCode") != code:
            raise SignatureInvalid("the IPN is for another merchant")
        reference = params.get("vnp_TxnRef", "")
        raw_amount = params.get("vnp_Amount", "")
        amount: int | None = None
        if raw_amount.isdigit() and int(raw_amount) % AMOUNT_FACTOR == 0:
            amount = int(raw_amount) // AMOUNT_FACTOR
        else:
            amount = -1  # not a whole number of đồng: never equal to an order total
        response = params.get("vnp_ResponseCode", "")
        status = params.get("vnp_TransactionStatus", response)
        transaction = params.get("vnp_TransactionNo", "")
        paid = response == "00" and status == "00"
        return ParsedEvent(
            event_id=f"{reference}:{transaction}:{response}",
            event_type=f"ipn.{response or 'none'}",
            kind="paid" if paid else "failed",
            reference=reference,
            amount=amount,
            currency="VND",
            payment_id=transaction,
            message="" if paid else f"VNPay: giao dịch không thành công (mã {response}).",
            payload={k: v for k, v in params.items() if k != "vnp_SecureHash"},
        )

    async def refund(
        self,
        runtime: StoreRuntime,
        *,
        payment_id: str,
        amount: int,
        currency: str,
        idempotency_key: str,
    ) -> ProviderRefund:
        """Ask VNPay's refund API to give back ``amount`` đồng of the transaction
        ``payment_id`` (vnp_TransactionNo): full ("02") when it is the whole payment,
        partial ("03") otherwise. The answer must carry VNPay's checksum and echo our
        reference and amount; anything else raises ProviderError, so the order is left
        as it was and staff see why."""
        code, secret, _ = settings()
        if not (code and secret):
            raise ProviderError("VNPay is not configured.")
        if currency.upper() != "VND" or amount <= 0:
            raise ProviderError("VNPay refunds whole đồng amounts above zero only.")
        paid = await _paid_ipn(runtime, payment_id)
        if paid is None:
            raise ProviderError(
                f"No confirmed VNPay payment {payment_id} is on record; refund it in the portal."
            )
        paid_amount = int(paid.get("vnp_Amount", "0") or 0) // AMOUNT_FACTOR
        if amount > paid_amount:
            raise ProviderError("The refund is larger than the VNPay payment.")
        now = utcnow().astimezone(VIETNAM)
        request_id = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        body = {
            "vnp_RequestId": request_id,
            "vnp_Version": VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": code,
            "vnp_TransactionType": "02" if amount == paid_amount else "03",
            "vnp_TxnRef": paid.get("vnp_TxnRef", ""),
            "vnp_Amount": str(amount * AMOUNT_FACTOR),
            "vnp_TransactionNo": payment_id,
            "vnp_TransactionDate": paid.get("vnp_PayDate", ""),
            "vnp_CreateBy": runtime.slug,
            "vnp_CreateDate": now.strftime("%Y%m%d%H%M%S"),
            "vnp_IpAddr": "127.0.0.1",
            "vnp_OrderInfo": f"Hoan tien giao dich {payment_id}",
        }
        body["vnp_SecureHash"] = checksum(secret, body, REFUND_REQUEST_FIELDS)
        answer_ = await asyncio.to_thread(_post_json, refund_url(), body)
        return _refund_outcome(secret, body, answer_)


PROVIDER = VnpayProvider()

# ---------------------------------------------------------------- the refund API
# VNPay's merchant API (POST JSON): the checksum is HMAC-SHA512 over the listed fields'
# values joined by "|" in this fixed order, for the request and for the answer.
REFUND_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)
SANDBOX_API_URL = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
API_TIMEOUT_SECONDS = 20
MAX_ANSWER_BYTES = 64 * 1024
REFUND_REFUSALS = {
    "02": "the merchant code is not valid",
    "03": "the request data is not valid",
    "91": "VNPay does not know the transaction",
    "95": "the transaction was not successful or was already refunded",
    "97": "VNPay says our checksum is wrong",
}


def refund_url() -> str:
    return os.environ.get("MERCATO_VNPAY_API_URL", SANDBOX_API_URL)


def checksum(secret: str, values: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    data = "|".join(str(values.get(name, "") or "") for name in fields)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


async def _paid_ipn(runtime: StoreRuntime, transaction_no: str) -> dict[str, Any] | None:
    """The IPN that confirmed this transaction (its reference and pay date), as stored."""
    from sqlalchemy import select

    from mercato.models.orders import WebhookEvent

    if not transaction_no or not transaction_no.isdigit():
        return None
    async with runtime.db.transaction(write=False) as db:
        row = await db.scalar(
            select(WebhookEvent)
            .where(
                WebhookEvent.provider == PROVIDER.name,
                WebhookEvent.event_id.like(f"%:{transaction_no}:00"),
            )
            .order_by(WebhookEvent.id)
            .limit(1)
        )
        return dict(row.payload or {}) if row is not None else None


def _post_json(url: str, body: dict[str, str]) -> bytes:
    """One POST to VNPay's API (stdlib: this runs in a worker thread)."""
    import json
    import urllib.error
    import urllib.request

    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ProviderError("The VNPay API address must use https.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ProviderError(f"VNPay answered HTTP {exc.code}; nothing was refunded.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ProviderError("VNPay could not be reached; nothing was refunded.") from exc


def _refund_outcome(secret: str, sent: Mapping[str, str], raw: bytes) -> ProviderRefund:
    import json

    garbled = "VNPay's answer could not be read; check the refund in the VNPay portal."
    if len(raw) > MAX_ANSWER_BYTES:
        raise ProviderError(garbled)
    try:
        answer_ = json.loads(raw)
    except ValueError as exc:
        raise ProviderError(garbled) from exc
    if not isinstance(answer_, dict):
        raise ProviderError(garbled)
    given = str(answer_.get("vnp_SecureHash", "")).lower()
    if not given or not hmac.compare_digest(given, checksum(secret, answer_, REFUND_ANSWER_FIELDS)):
        raise ProviderError("VNPay's answer is not signed correctly; nothing is recorded.")
    response = str(answer_.get("vnp_ResponseCode", ""))
    if response == "94":
        # The same vnp_RequestId again: VNPay is working on (or did) the first one.
        return ProviderRefund(refund_id=sent["vnp_RequestId"], status="pending")
    if response != "00":
        why = REFUND_REFUSALS.get(response, str(answer_.get("vnp_Message", "")) or "no reason")
        raise ProviderError(f"VNPay refused the refund (code {response}): {why}."[:300])
    if (
        str(answer_.get("vnp_TxnRef", "")) != sent["vnp_TxnRef"]
        or str(answer_.get("vnp_Amount", "")) != sent["vnp_Amount"]
    ):
        raise ProviderError("VNPay's answer is for another transaction or amount.")
    status = str(answer_.get("vnp_TransactionStatus", ""))
    refund_id = str(answer_.get("vnp_TransactionNo", "") or answer_.get("vnp_ResponseId", ""))
    # 05: VNPay is processing the refund; 06: sent to the bank; 00: done.
    return ProviderRefund(
        refund_id=refund_id[:100] or sent["vnp_RequestId"],
        status="succeeded" if status in ("", "00") else "pending",
    )


# ---------------------------------------------------------------- the IPN endpoint

router = APIRouter()

ANSWERS: dict[str, tuple[str, str]] = {
    "paid": ("00", "Confirm Success"),
    "failed": ("00", "Confirm Success"),  # a failure, recorded: VNPay needs no retry
    "already paid": ("02", "Order already confirmed"),
    "duplicate": ("02", "Order already confirmed"),
    "unknown checkout": ("01", "Order not found"),
    "amount mismatch": ("04", "Invalid amount"),
}


def answer(outcome: str) -> tuple[str, str]:
    return ANSWERS.get(outcome, ("00", "Confirm Success") if outcome else ("99", "Unknown error"))


@router.get("/payments/vnpay/ipn", include_in_schema=False)
async def ipn(request: Request) -> JSONResponse:
    """VNPay calls this with GET. The work runs in its own write transaction (a GET request's
    unit of work is a read one), committed only when the event was accepted."""
    from mercato.payments import service as payments_service
    from mercato.payments.providers import get_provider

    runtime: Any = request.state.runtime
    get_provider(runtime, PROVIDER.name)  # 404 when this store does not offer VNPay
    payload = request.url.query.encode()
    try:
        async with runtime.db.transaction(write=True) as db:
            outcome = await payments_service.handle_webhook(
                db, runtime, PROVIDER.name, payload, request.headers
            )
    except payments_service.WebhookRejected:
        return JSONResponse({"RspCode": "97", "Message": "Invalid signature"})
    code, message = answer(outcome)
    return JSONResponse({"RspCode": code, "Message": message})
