"""Shared helpers for the insurance tests: the cattle-insurance store, users, plans, photos
and applications."""

from __future__ import annotations

import base64
import io
import itertools
from typing import Any

from PIL import Image

from mercato.insurance import files
from mercato.insurance import service as insurance_service
from mercato.insurance.schemas import ApplicationIn
from mercato.models.insurance import PolicyPlan

STORE = "cattle-insurance"
PASSWORD = "Copper-Kettle-Meadow-77"
_serial = itertools.count(1)


def photo_bytes(colour: str = "green", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def photo_uploads(n: int = 2) -> list[files.Upload]:
    return [files.Upload(photo_bytes(c), f"p{i}.png") for i, c in enumerate(["red", "blue"][:n])]


def b64_photos(n: int = 2) -> list[dict[str, str]]:
    return [
        {"filename": f"cow{i}.png", "data": base64.b64encode(photo_bytes()).decode()}
        for i in range(n)
    ]


def next_tag() -> str:
    return f"IN-TEST-{next(_serial):05d}"


def application(plan_id: int, **cattle: Any) -> dict[str, Any]:
    data = {
        "plan_id": plan_id,
        "cattle": {
            "type": "cow",
            "ear_tag": next_tag(),
            "age": 4,
            "breed": "Gir",
            "gender": "female",
            "milk_yield": "12.5",
            "health_status": "Healthy, vaccinated for FMD",
        },
        "owner": {
            "name": "Sunita Deshmukh",
            "email": "sunita@example.in",
            "phone": "+91 98765 43210",
            "address": "Near the temple, Ward 4",
            "city": "Kolhapur",
            "state": "Maharashtra",
            "pincode": "416001",
        },
    }
    data["cattle"].update(cattle)
    return data


async def make_plan(db, **fields: Any) -> PolicyPlan:
    values: dict[str, Any] = {
        "name": f"Test plan {next(_serial)}",
        "description": "Cover for a dairy cow.",
        "cattle_type": "cow",
        "min_age": 2,
        "max_age": 10,
        "coverage_minor": 50_000_00,
        "premium_minor": 2_000_00,
        "premium_rate_bp": None,
        "duration_months": 12,
        "features": ["Death by accident or disease"],
        "disease_waiting_days": 15,
        "currency": "INR",
    }
    values.update(fields)
    plan = PolicyPlan(**values)
    db.add(plan)
    await db.flush()
    return plan


async def apply(db, runtime, user, plan, *, photos: int = 2, **cattle: Any):
    data = ApplicationIn.model_validate(application(plan.id, **cattle))
    return await insurance_service.apply(db, runtime, user, data, photo_uploads(photos))


# --- payments ------------------------------------------------------------------------------

KEY_ID = "rzp_test_K3yId0000001"
KEY_SECRET = "test-key-secret-0123456789"
WEBHOOK_SECRET = "test-webhook-secret-9876543210"


def with_razorpay(monkeypatch) -> FakeRazorpay:
    """Configure Razorpay and replace its HTTP API (the process boundary) by a fake."""
    from mercato.insurance import gateways

    monkeypatch.setenv("MERCATO_RAZORPAY_KEY_ID", KEY_ID)
    monkeypatch.setenv("MERCATO_RAZORPAY_KEY_SECRET", KEY_SECRET)
    monkeypatch.setenv("MERCATO_RAZORPAY_WEBHOOK_SECRET", WEBHOOK_SECRET)
    fake = FakeRazorpay()
    monkeypatch.setattr(gateways, "session_factory", lambda: fake)
    return fake


class _Answer:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status_code = status
        self._body = body

    def json(self) -> dict[str, Any]:
        return self._body


class FakeRazorpay:
    """Answers the two calls we make, the way Razorpay's API documents them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def post(self, url: str, auth=None, json=None, data=None, **kwargs: Any) -> _Answer:
        import json as _json

        body = json or data or {}
        if isinstance(body, str | bytes):  # the SDK sends its JSON as a string
            body = _json.loads(body)
        self.calls.append((url, body))
        assert auth == (KEY_ID, KEY_SECRET)
        if url.endswith("/orders"):
            n = len(self.calls)
            return _Answer(200, {"id": f"order_T{n:012d}", "entity": "order", **body})
        if url.endswith("/refund"):
            return _Answer(200, {"id": f"rfnd_T{len(self.calls):010d}", "status": "processed"})
        return _Answer(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "unknown"}})


def checkout_signature(order_id: str, payment_id: str, secret: str = KEY_SECRET) -> str:
    import hashlib
    import hmac

    return hmac.new(
        secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256
    ).hexdigest()


def razorpay_event(event: str, order_id: str, payment_id: str, amount: int) -> bytes:
    import json

    entity = {
        "id": payment_id,
        "entity": "payment",
        "amount": amount,
        "currency": "INR",
        "status": "captured" if event == "payment.captured" else "failed",
        "order_id": order_id,
        "method": "upi",
    }
    body = {
        "entity": "event",
        "account_id": "acc_Test",
        "event": event,
        "contains": ["payment"],
        "payload": {"payment": {"entity": entity}},
        "created_at": 1764500000,
    }
    return json.dumps(body).encode()


def webhook_headers(body: bytes, event_id: str, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    import hashlib
    import hmac

    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-razorpay-signature": signature, "x-razorpay-event-id": event_id}
