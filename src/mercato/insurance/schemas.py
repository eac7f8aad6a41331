"""What the insurance API and forms accept and answer. Field validators normalise Indian
formats (phone, pincode, ear tag) so the service only ever sees clean values; the errors
carry the field's path (``owner.phone``) to the client."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CattleType = Literal["cow", "buffalo"]
PlanCattleType = Literal["cow", "buffalo", "both"]
Gender = Literal["female", "male"]
ClaimType = Literal["death", "injury", "theft", "disease"]
DocumentKind = Literal["vet_certificate", "post_mortem", "ear_tag_photo", "police_report", "other"]

_EAR_TAG = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")
_PINCODE = re.compile(r"^[1-9][0-9]{5}$")


def normalise_phone(value: str) -> str:
    """An Indian mobile number as +91 and ten digits (the first 6-9), whatever the spacing
    or leading 0/91/+91; ValueError otherwise."""
    digits = re.sub(r"[\s\-()]", "", str(value or ""))
    if digits.startswith("+91"):
        digits = digits[3:]
    elif digits.startswith("91") and len(digits) == 12:
        digits = digits[2:]
    elif digits.startswith("0") and len(digits) == 11:
        digits = digits[1:]
    if not re.fullmatch(r"[6-9][0-9]{9}", digits):
        raise ValueError("Enter a 10-digit Indian mobile number, e.g. +91 98765 43210.")
    return "+91" + digits


def normalise_ear_tag(value: str) -> str:
    tag = "".join(str(value or "").split()).upper()
    if not _EAR_TAG.fullmatch(tag):
        raise ValueError("An ear tag id is 4 to 40 letters, digits or hyphens.")
    return tag


def _one_line(value: str) -> str:
    return " ".join(str(value or "").split())


class CattleIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    type: CattleType
    ear_tag: str = Field(description="The ear-tag id, e.g. IN-2745-0193.")
    age: int = Field(ge=0, le=30, description="Age in whole years.")
    breed: str = Field(min_length=2, max_length=80)
    gender: Gender
    milk_yield: Decimal | None = Field(
        None, ge=0, le=100, max_digits=5, decimal_places=2, description="Litres per day."
    )
    health_status: str = Field(min_length=2, max_length=500)

    @field_validator("ear_tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        return normalise_ear_tag(value)

    @field_validator("breed", "health_status")
    @classmethod
    def _line(cls, value: str) -> str:
        return _one_line(value)


class OwnerIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=120)
    email: str = Field(max_length=254)
    phone: str
    address: str = Field(min_length=4, max_length=300)
    city: str = Field(min_length=2, max_length=80)
    state: str = Field(min_length=2, max_length=80)
    pincode: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("Enter a valid email address.")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("pincode")
    @classmethod
    def _pincode(cls, value: str) -> str:
        value = "".join(value.split())
        if not _PINCODE.fullmatch(value):
            raise ValueError("A pincode is 6 digits and does not start with 0.")
        return value

    @field_validator("name", "address", "city", "state")
    @classmethod
    def _line(cls, value: str) -> str:
        return _one_line(value)


class PhotoIn(BaseModel):
    filename: str = Field("", max_length=200)
    data: str = Field(description="The image file, base64-encoded (JPEG, PNG or WebP).")


class ApplicationIn(BaseModel):
    """The seed's policy form. In the JSON API the photos travel base64-encoded."""

    plan_id: int
    cattle: CattleIn
    owner: OwnerIn
    agent_code: str = Field("", max_length=32)
    photos: list[PhotoIn] = Field(default_factory=list, max_length=6)


class PlanIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=3, max_length=120)
    description: str = Field("", max_length=4000)
    cattle_type: PlanCattleType
    min_age: int = Field(ge=0, le=30)
    max_age: int = Field(ge=0, le=30)
    coverage_minor: int = Field(gt=0, le=10**12)
    premium_minor: int | None = Field(None, gt=0, le=10**12)
    premium_rate_bp: int | None = Field(None, gt=0, le=10000)
    duration_months: int = Field(12, ge=1, le=60)
    features: list[str] = Field(default_factory=list, max_length=20)
    disease_waiting_days: int = Field(0, ge=0, le=365)
    is_active: bool = True


class PlanOut(BaseModel):
    id: int
    name: str
    description: str
    cattle_type: str
    min_age: int
    max_age: int
    coverage_minor: int
    premium_minor: int = Field(description="The premium this plan charges, in paise.")
    premium_rate_bp: int | None
    currency: str
    duration_months: int
    features: list[str]
    disease_waiting_days: int
    is_active: bool


class QuoteOut(BaseModel):
    plan_id: int
    eligible: bool
    reasons: list[str]
    coverage_minor: int
    premium_minor: int
    currency: str
    duration_months: int


class PhotoOut(BaseModel):
    id: int
    url: str
    width: int
    height: int


class PolicyOut(BaseModel):
    id: int
    policy_number: str | None
    plan_id: int
    status: str
    payment_status: str
    cattle_type: str
    ear_tag: str
    age: int
    breed: str
    gender: str
    milk_yield: Decimal | None
    health_status: str
    owner_name: str
    owner_email: str
    owner_phone: str
    owner_address: str
    owner_city: str
    owner_state: str
    owner_pincode: str
    agent_id: int | None
    coverage_minor: int
    premium_minor: int
    currency: str
    duration_months: int
    start_date: date | None
    end_date: date | None
    rejection_reason: str
    created_at: datetime
    photos: list[PhotoOut] = Field(default_factory=list)
    certificate_url: str | None = None


class PaymentStartIn(BaseModel):
    provider: Literal["sandbox", "razorpay"] = "razorpay"


class PaymentStartWithPolicy(PaymentStartIn):
    policy_id: int


class PaymentStartOut(BaseModel):
    payment_id: int
    provider: str
    order_id: str = Field(description="Razorpay order id (or the sandbox checkout reference).")
    amount: int
    currency: str
    key_id: str = Field("", description="Razorpay key id for Checkout.")
    checkout_url: str = Field("", description="The sandbox's hosted page.")


class VerifyIn(BaseModel):
    razorpay_order_id: str = Field(min_length=1, max_length=100)
    razorpay_payment_id: str = Field(min_length=1, max_length=100)
    razorpay_signature: str = Field(min_length=1, max_length=200)


class PaymentOut(BaseModel):
    id: int
    policy_id: int
    provider: str
    order_id: str
    payment_id: str | None
    amount: int
    currency: str
    status: str
    method: str
    paid_at: datetime | None
    refunded_at: datetime | None
    created_at: datetime


class DecisionIn(BaseModel):
    reason: str = Field("", max_length=500)


class ClaimIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    policy_id: int
    claim_type: ClaimType
    incident_date: date
    amount_minor: int = Field(gt=0, le=10**12)
    description: str = Field(min_length=10, max_length=4000)


class DocumentIn(BaseModel):
    kind: DocumentKind = "other"
    filename: str = Field("", max_length=200)
    data: str = Field(description="The file, base64-encoded (JPEG, PNG, WebP or PDF).")


class ClaimFileIn(ClaimIn):
    documents: list[DocumentIn] = Field(default_factory=list, max_length=10)


class ClaimStatusIn(BaseModel):
    status: Literal["under_review", "approved", "rejected", "paid"]
    settled_minor: int | None = Field(None, gt=0, le=10**12)
    reason: str = Field("", max_length=500)
    payout_reference: str = Field("", max_length=100)


class DocumentOut(BaseModel):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int


class ClaimOut(BaseModel):
    id: int
    claim_number: str | None
    policy_id: int
    claim_type: str
    incident_date: date
    amount_minor: int
    settled_minor: int | None
    currency: str
    description: str
    status: str
    documents_requested: str
    rejection_reason: str
    created_at: datetime
    documents: list[DocumentOut] = Field(default_factory=list)


class PolicyStatusIn(BaseModel):
    status: Literal["APPROVED", "REJECTED", "CANCELLED"]
    reason: str = Field("", max_length=500)
    refund: bool = True


class StatsOut(BaseModel):
    policies_by_status: dict[str, int]
    premium_collected_minor: int
    claims_by_status: dict[str, int]
    claims_settled_minor: int
    claims_ratio: float = Field(description="Settled claims divided by premium collected.")
