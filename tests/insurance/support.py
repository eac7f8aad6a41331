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
