"""Cattle insurance (seed 001): plans, policies with their photos and payments, claims with
their documents. Money is integer paise (``currency`` says which minor unit)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin


class PolicyStatus(StrEnum):
    PENDING = "PENDING"  # applied, not paid
    PENDING_APPROVAL = "PENDING_APPROVAL"  # paid, waiting for an underwriter
    APPROVED = "APPROVED"  # in force between start_date and end_date
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class PaymentState(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


# An ear tag may carry one of these at a time (the partial unique index below).
LIVE_STATUSES = ("PENDING", "PENDING_APPROVAL", "APPROVED")
_LIVE_SQL = "status IN ('PENDING', 'PENDING_APPROVAL', 'APPROVED')"


class PolicyPlan(IdMixin, TimestampMixin, Base):
    """A product an admin sells: who it covers, for how much, for how long.

    The premium is either a fixed amount or a rate of the coverage in basis points
    (350 = 3.5 %), never both."""

    __tablename__ = "insurance_plans"
    __table_args__ = (
        CheckConstraint("cattle_type IN ('cow', 'buffalo', 'both')", name="cattle_type_known"),
        CheckConstraint("min_age >= 0 AND max_age >= min_age", name="age_range"),
        CheckConstraint("coverage_minor > 0", name="coverage_positive"),
        CheckConstraint(
            "(premium_minor IS NULL) <> (premium_rate_bp IS NULL)", name="one_premium_rule"
        ),
        CheckConstraint("premium_minor IS NULL OR premium_minor > 0", name="premium_positive"),
        CheckConstraint(
            "premium_rate_bp IS NULL OR (premium_rate_bp > 0 AND premium_rate_bp <= 10000)",
            name="rate_range",
        ),
        CheckConstraint("duration_months BETWEEN 1 AND 60", name="duration_range"),
        CheckConstraint("disease_waiting_days >= 0", name="waiting_not_negative"),
        Index("ix_insurance_plans_active", "is_active", "coverage_minor"),
    )

    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    cattle_type: Mapped[str] = mapped_column(String(10))
    min_age: Mapped[int]  # years, inclusive
    max_age: Mapped[int]
    coverage_minor: Mapped[int] = mapped_column(BigInteger)
    premium_minor: Mapped[int | None] = mapped_column(BigInteger)
    premium_rate_bp: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    duration_months: Mapped[int] = mapped_column(default=12)
    features: Mapped[list[Any]] = mapped_column(default=list)
    disease_waiting_days: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Policy(IdMixin, TimestampMixin, Base):
    """One animal insured for one customer. Plan terms are copied at application so a later
    plan edit never changes what was sold."""

    __tablename__ = "insurance_policies"
    __table_args__ = (
        CheckConstraint(
            "status IN ('PENDING', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'EXPIRED', "
            "'CANCELLED')",
            name="status_known",
        ),
        CheckConstraint(
            "payment_status IN ('PENDING', 'PAID', 'FAILED', 'REFUNDED')",
            name="payment_status_known",
        ),
        CheckConstraint("cattle_type IN ('cow', 'buffalo')", name="cattle_type_known"),
        CheckConstraint("gender IN ('female', 'male')", name="gender_known"),
        CheckConstraint("premium_minor > 0 AND coverage_minor > 0", name="money_positive"),
        CheckConstraint(
            "status <> 'APPROVED' OR (policy_number IS NOT NULL AND start_date IS NOT NULL "
            "AND end_date IS NOT NULL)",
            name="approved_has_terms",
        ),
        # One live policy per ear tag: partial unique index, the same on SQLite and PostgreSQL.
        Index(
            "uq_insurance_policies_live_ear_tag",
            "ear_tag",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
        Index("ix_insurance_policies_customer", "customer_id", "created_at"),
        Index("ix_insurance_policies_status", "status", "created_at"),
        Index("ix_insurance_policies_agent", "agent_id"),
        Index("ix_insurance_policies_end", "status", "end_date"),
    )

    policy_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    plan_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("insurance_plans.id", ondelete="RESTRICT"), index=True
    )
    # The selling agent (agents module); kept as plain ids so the module stays optional.
    agent_id: Mapped[int | None] = mapped_column(BigId)
    agent_user_id: Mapped[int | None] = mapped_column(BigId)
    agent_code: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(20), default=PolicyStatus.PENDING.value)
    payment_status: Mapped[str] = mapped_column(String(10), default=PaymentState.PENDING.value)

    cattle_type: Mapped[str] = mapped_column(String(10))
    ear_tag: Mapped[str] = mapped_column(String(40))  # upper-cased, spaces removed
    age: Mapped[int]  # years
    breed: Mapped[str] = mapped_column(String(80))
    gender: Mapped[str] = mapped_column(String(10))
    milk_yield: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # litres per day
    health_status: Mapped[str] = mapped_column(String(500))

    owner_name: Mapped[str] = mapped_column(String(120))
    owner_email: Mapped[str] = mapped_column(String(254))
    owner_phone: Mapped[str] = mapped_column(String(16))  # +91XXXXXXXXXX
    owner_address: Mapped[str] = mapped_column(String(300))
    owner_city: Mapped[str] = mapped_column(String(80))
    owner_state: Mapped[str] = mapped_column(String(80))
    owner_pincode: Mapped[str] = mapped_column(String(6))

    coverage_minor: Mapped[int] = mapped_column(BigInteger)
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    duration_months: Mapped[int]
    disease_waiting_days: Mapped[int] = mapped_column(default=0)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    paid_at: Mapped[datetime | None]
    approved_by: Mapped[int | None] = mapped_column(BigId)
    approved_at: Mapped[datetime | None]
    rejected_by: Mapped[int | None] = mapped_column(BigId)
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    cancelled_at: Mapped[datetime | None]
    cancellation_reason: Mapped[str] = mapped_column(String(500), default="")
    renewal_reminded_at: Mapped[datetime | None]


class PolicyPhoto(IdMixin, Base):
    """A photo of the insured animal (ear tag visible), re-encoded and kept in the store's
    file storage under a private key; served only to its owner and staff."""

    __tablename__ = "insurance_policy_photos"

    policy_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("insurance_policies.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)


class PolicyPayment(IdMixin, TimestampMixin, Base):
    """One trip to a payment provider for a policy's premium (the seed's payments table)."""

    __tablename__ = "insurance_payments"
    __table_args__ = (
        UniqueConstraint("provider", "order_ref"),
        # NULLs are distinct on both engines: only a known payment id must be unique.
        UniqueConstraint("provider", "payment_id"),
        CheckConstraint(
            "status IN ('created', 'succeeded', 'failed', 'refunded')", name="status_known"
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    policy_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("insurance_policies.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    order_ref: Mapped[str] = mapped_column(String(100))  # Razorpay order id / sandbox checkout
    payment_id: Mapped[str | None] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="created")
    method: Mapped[str] = mapped_column(String(30), default="")
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    paid_at: Mapped[datetime | None]
    refund_id: Mapped[str] = mapped_column(String(100), default="")
    refunded_at: Mapped[datetime | None]


class ClaimStatus(StrEnum):
    PENDING = "pending"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


class Claim(IdMixin, TimestampMixin, Base):
    __tablename__ = "insurance_claims"
    __table_args__ = (
        CheckConstraint(
            "claim_type IN ('death', 'injury', 'theft', 'disease')", name="claim_type_known"
        ),
        CheckConstraint(
            "status IN ('pending', 'under_review', 'approved', 'rejected', 'paid')",
            name="status_known",
        ),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "settled_minor IS NULL OR (settled_minor > 0 AND settled_minor <= amount_minor)",
            name="settled_range",
        ),
        Index("ix_insurance_claims_customer", "customer_id", "created_at"),
        Index("ix_insurance_claims_status", "status", "created_at"),
    )

    claim_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    policy_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("insurance_policies.id", ondelete="RESTRICT"), index=True
    )
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    filed_by: Mapped[int] = mapped_column(BigId)  # the customer or their agent's user
    claim_type: Mapped[str] = mapped_column(String(10))
    incident_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    settled_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(15), default=ClaimStatus.PENDING.value)
    documents_requested: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by: Mapped[int | None] = mapped_column(BigId)
    reviewed_at: Mapped[datetime | None]
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    paid_at: Mapped[datetime | None]
    payout_reference: Mapped[str] = mapped_column(String(100), default="")


class ClaimDocument(IdMixin, Base):
    __tablename__ = "insurance_claim_documents"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('vet_certificate', 'post_mortem', 'ear_tag_photo', 'police_report', 'other')",
            name="kind_known",
        ),
    )

    claim_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("insurance_claims.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int]
    uploaded_by: Mapped[int] = mapped_column(BigId)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
