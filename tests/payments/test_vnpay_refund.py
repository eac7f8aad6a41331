"""VNPay refunds through its merchant API, against a fake VNPay server on the loopback (no
internet): full and partial refunds are signed as VNPay documents (fields joined by "|",
HMAC-SHA512) and typed "02"/"03"; a refusal, a garbled or unsigned answer raises a clear
error and leaves the order exactly as it was."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from mercato.kit.errors import Conflict
from mercato.models.orders import Order, Refund
from mercato.orders import service as orders_service
from tests.payments.test_vnpay import (  # noqa: F401 - fixtures used by name
    SECRET,
    SLUG,
    TMN,
    _ipn,
    _pending,
    adb,
    audio,
    signed_query,
)

REQUEST_FIELDS = (
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
ANSWER_FIELDS = (
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


def _hash(values: dict, fields: tuple[str, ...]) -> str:
    data = "|".join(str(values.get(f, "")) for f in fields)
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


class FakeVnpay:
    """VNPay's refund endpoint as it behaves: checks our checksum, answers signed JSON."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(fake.answer(body))

            def log_message(self, *args) -> None:  # keep pytest's output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/merchant_webapi/api/transaction"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, body: dict) -> bytes:
        if self.mode == "garbled":
            return b"<html>502 Bad Gateway</html>"
        good = body.get("vnp_SecureHash") == _hash(body, REQUEST_FIELDS)
        code = {"ok": "00", "refused": "95", "unsigned": "00"}[self.mode] if good else "97"
        out = {
            "vnp_ResponseId": "R" + body["vnp_RequestId"][:10],
            "vnp_Command": "refund",
            "vnp_ResponseCode": code,
            "vnp_Message": "Refund success" if code == "00" else "Refund refused",
            "vnp_TmnCode": body["vnp_TmnCode"],
            "vnp_TxnRef": body["vnp_TxnRef"],
            "vnp_Amount": body["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_PayDate": "20261201093000",
            "vnp_TransactionNo": str(90000000 + len(self.requests)),
            "vnp_TransactionType": body["vnp_TransactionType"],
            "vnp_TransactionStatus": "00" if code == "00" else "",
            "vnp_OrderInfo": body["vnp_OrderInfo"],
        }
        out["vnp_SecureHash"] = _hash(out, ANSWER_FIELDS)
        if self.mode == "unsigned":
            out["vnp_SecureHash"] = "0" * 128
        return json.dumps(out).encode()


@pytest.fixture
def vnpay_api(monkeypatch):
    fake = FakeVnpay()
    monkeypatch.setenv("MERCATO_VNPAY_API_URL", fake.url)
    yield fake
    fake.server.shutdown()


async def _paid_order(client, adb, audio):  # noqa: F811
    order, redirect = await _pending(adb, audio)
    answer = await client.get(f"/{SLUG}/payments/vnpay/ipn?{signed_query(_ipn(redirect))}")
    assert answer.json()["RspCode"] == "00"
    fresh = await adb.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )
    assert fresh.payment_status == "paid" and fresh.payment_id == "14226112"
    return fresh, redirect


async def test_partial_then_full_refund_are_signed_and_typed(client, adb, audio, vnpay_api):  # noqa: F811
    order, redirect = await _paid_order(client, adb, audio)
    # When staff refund 930.000 ₫ of the 8.930.000 ₫ payment
    await orders_service.refund(adb, audio, order, amount=930_000, reason="Trả bớt")
    partial = vnpay_api.requests[-1]
    # Then VNPay gets a partial refund of the paid transaction, amount × 100, signed
    assert partial["vnp_SecureHash"] == _hash(partial, REQUEST_FIELDS)
    assert partial["vnp_Command"] == "refund" and partial["vnp_TransactionType"] == "03"
    assert partial["vnp_Amount"] == str(930_000 * 100) and partial["vnp_TmnCode"] == TMN
    assert partial["vnp_TxnRef"] == redirect["vnp_TxnRef"]
    assert partial["vnp_TransactionNo"] == "14226112"
    assert partial["vnp_TransactionDate"] == "20261130153000"  # the IPN's vnp_PayDate
    assert order.payment_status == "partially_refunded" and order.refunded_total == 930_000
    # When the rest is refunded
    await orders_service.refund(adb, audio, order, amount=8_000_000)
    rest = vnpay_api.requests[-1]
    assert rest["vnp_TransactionType"] == "03" and rest["vnp_Amount"] == "800000000"
    assert rest["vnp_RequestId"] != partial["vnp_RequestId"]
    refunds = list(await adb.scalars(select(Refund).where(Refund.order_id == order.id)))
    assert [(r.amount, r.status, r.provider) for r in refunds] == [
        (930_000, "succeeded", "vnpay"),
        (8_000_000, "succeeded", "vnpay"),
    ]
    assert order.payment_status == "refunded"


async def test_a_whole_payment_refund_is_typed_full(client, adb, audio, vnpay_api):  # noqa: F811
    order, _ = await _paid_order(client, adb, audio)
    await orders_service.refund(adb, audio, order, amount=8_930_000)
    assert vnpay_api.requests[-1]["vnp_TransactionType"] == "02"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("refused", "VNPay refused the refund (code 95)"),
        ("garbled", "could not be read"),
        ("unsigned", "not signed correctly"),
    ],
)
async def test_a_refused_or_bad_answer_leaves_the_order_unchanged(
    client,
    adb,  # noqa: F811
    audio,  # noqa: F811
    vnpay_api,
    mode,
    message,
):
    order, _ = await _paid_order(client, adb, audio)
    vnpay_api.mode = mode
    with pytest.raises(Conflict) as refused:
        await orders_service.refund(adb, audio, order, amount=930_000)
    assert message in refused.value.message
    assert len(vnpay_api.requests) == 1  # it did ask VNPay
    fresh = await adb.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )
    assert (fresh.payment_status, fresh.refunded_total) == ("paid", 0)
    count = select(func.count()).select_from(Refund).where(Refund.order_id == order.id)
    assert await adb.scalar(count) == 0


async def test_an_unknown_transaction_is_refused_before_calling_vnpay(adb, audio, vnpay_api):  # noqa: F811
    from mercato.payments import vnpay
    from mercato.payments.providers.base import ProviderError

    with pytest.raises(ProviderError, match="No confirmed VNPay payment"):
        await vnpay.PROVIDER.refund(
            audio, payment_id="99999999", amount=1000, currency="VND", idempotency_key="k"
        )
    assert vnpay_api.requests == []
