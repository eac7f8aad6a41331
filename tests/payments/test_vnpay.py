"""VNPay: a signed redirect with the amount × 100, and an IPN that marks an order paid only
when its HMAC-SHA512 signature, merchant code and amount are right, once per transaction.
The IPNs here are signed exactly as VNPay signs them (sorted, URL-encoded vnp_* pairs)."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from mercato.models.orders import Order, OrderEvent, WebhookEvent
from mercato.payments import service as payments_service
from mercato.payments import vnpay
from tests.cart.support import make_product
from tests.orders.support import make_order

TMN = "TAILOC01"
SECRET = "VNPAYTESTSECRET0123456789ABCDEF"
SLUG = "audio-tai-loc"


@pytest.fixture
def audio(app, monkeypatch):
    monkeypatch.setenv("MERCATO_VNPAY_TMN_CODE", TMN)
    monkeypatch.setenv("MERCATO_VNPAY_HASH_SECRET", SECRET)
    return app.state.runtimes[SLUG]


@pytest.fixture
async def adb(audio):
    async with audio.db.session(write=True) as session:
        yield session


def signed_query(params: dict[str, str], secret: str = SECRET) -> str:
    """VNPay's own signing: sorted vnp_* pairs, quote_plus encoded, HMAC-SHA512 hex."""
    data = urlencode(sorted((k, v) for k, v in params.items() if v != ""))
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()
    return f"{data}&vnp_SecureHashType=HmacSHA512&vnp_SecureHash={digest}"


async def _pending(adb, audio):
    product = await make_product(adb, price=8_900_000, stock=5)
    order, key = await make_order(adb, audio, items=[(product, 1)], shipping=30_000, currency="VND")
    url = await payments_service.start_payment(
        adb,
        audio,
        order,
        provider="vnpay",
        return_url=f"/{SLUG}/orders/{order.number}?key={key}",
        cancel_url=f"/{SLUG}/orders/{order.number}?key={key}",
    )
    await adb.commit()
    return order, dict(parse_qsl(urlsplit(url).query))


def _ipn(redirect: dict[str, str], **changes: str) -> dict[str, str]:
    params = {
        "vnp_TmnCode": TMN,
        "vnp_Amount": redirect["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": redirect["vnp_OrderInfo"],
        "vnp_PayDate": "20261130153000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": redirect["vnp_TxnRef"],
    }
    params.update(changes)
    return params


async def _state(adb, order) -> tuple[str, int, int]:
    fresh = await adb.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )
    events = await adb.scalar(
        select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id == order.id)
    )
    stored = await adb.scalar(
        select(func.count()).select_from(WebhookEvent).where(WebhookEvent.provider == "vnpay")
    )
    return fresh.payment_status, int(events), int(stored)


async def test_redirect_is_signed_with_the_amount_times_100(adb, audio):
    # Given a pending order of 8.930.000 ₫
    order, redirect = await _pending(adb, audio)
    # Then the redirect carries the total × 100 and a signature VNPay can check
    assert redirect["vnp_Amount"] == str(8_930_000 * 100)
    assert redirect["vnp_TmnCode"] == TMN and redirect["vnp_CurrCode"] == "VND"
    given = redirect.pop("vnp_SecureHash")
    assert given == vnpay.sign(SECRET, redirect)
    assert redirect["vnp_ReturnUrl"].endswith(
        f"/{SLUG}/orders/{order.number}?key=" + redirect["vnp_ReturnUrl"].split("key=")[1]
    )


async def test_a_good_ipn_marks_paid_and_a_replay_changes_nothing(client, adb, audio):
    order, redirect = await _pending(adb, audio)
    query = signed_query(_ipn(redirect))
    # When VNPay calls the IPN
    first = await client.get(f"/{SLUG}/payments/vnpay/ipn?{query}")
    assert first.json() == {"RspCode": "00", "Message": "Confirm Success"}
    after_first = await _state(adb, order)
    assert after_first[0] == "paid" and after_first[2] == 1
    # When it calls again with the same transaction
    again = await client.get(f"/{SLUG}/payments/vnpay/ipn?{query}")
    # Then it is told "already confirmed" and nothing changed
    assert again.json()["RspCode"] == "02"
    assert await _state(adb, order) == after_first


async def test_a_bad_signature_is_refused_and_stores_nothing(client, adb, audio):
    order, redirect = await _pending(adb, audio)
    before = await _state(adb, order)
    forged = signed_query(_ipn(redirect), secret="not-the-merchant-secret")
    response = await client.get(f"/{SLUG}/payments/vnpay/ipn?{forged}")
    assert response.json()["RspCode"] == "97"
    # A signed IPN whose amount was edited afterwards is forged too
    good = dict(parse_qsl(signed_query(_ipn(redirect))))
    good["vnp_Amount"] = "100"
    tampered = await client.get(f"/{SLUG}/payments/vnpay/ipn?{urlencode(good)}")
    assert tampered.json()["RspCode"] == "97"
    assert await _state(adb, order) == before
    assert before[0] == "unpaid"


async def test_a_wrong_amount_is_refused_even_when_signed(client, adb, audio):
    order, redirect = await _pending(adb, audio)
    cheap = signed_query(_ipn(redirect, vnp_Amount=str(10_000 * 100)))
    response = await client.get(f"/{SLUG}/payments/vnpay/ipn?{cheap}")
    assert response.json() == {"RspCode": "04", "Message": "Invalid amount"}
    status, _, _ = await _state(adb, order)
    assert status == "unpaid"
    fractional = signed_query(
        _ipn(redirect, vnp_Amount=str(8_930_000 * 100 + 50), vnp_TransactionNo="14226113")
    )
    assert (await client.get(f"/{SLUG}/payments/vnpay/ipn?{fractional}")).json()["RspCode"] == "04"


async def test_another_merchant_or_unknown_order(client, adb, audio):
    order, redirect = await _pending(adb, audio)
    other = signed_query(_ipn(redirect, vnp_TmnCode="SOMEONE"))
    assert (await client.get(f"/{SLUG}/payments/vnpay/ipn?{other}")).json()["RspCode"] == "97"
    unknown = signed_query(_ipn(redirect, vnp_TxnRef="AT-000000-deadbeef"))
    assert (await client.get(f"/{SLUG}/payments/vnpay/ipn?{unknown}")).json()["RspCode"] == "01"
    assert (await _state(adb, order))[0] == "unpaid"


async def test_a_declined_payment_leaves_the_order_unpaid(client, adb, audio):
    order, redirect = await _pending(adb, audio)
    declined = signed_query(_ipn(redirect, vnp_ResponseCode="24", vnp_TransactionStatus="02"))
    response = await client.get(f"/{SLUG}/payments/vnpay/ipn?{declined}")
    assert response.json()["RspCode"] == "00"
    assert (await _state(adb, order))[0] == "failed"


async def test_the_return_page_never_marks_paid(client, adb, audio):
    order, redirect = await _pending(adb, audio)
    ret = redirect["vnp_ReturnUrl"]
    path = urlsplit(ret).path + "?" + urlsplit(ret).query + "&" + signed_query(_ipn(redirect))
    await client.get(path)
    assert (await _state(adb, order))[0] == "unpaid"


async def test_without_configuration_vnpay_is_not_offered(client, app, monkeypatch):
    monkeypatch.delenv("MERCATO_VNPAY_TMN_CODE", raising=False)
    monkeypatch.delenv("MERCATO_VNPAY_HASH_SECRET", raising=False)
    response = await client.get(f"/{SLUG}/payments/vnpay/ipn?vnp_TxnRef=x")
    assert response.status_code == 404
