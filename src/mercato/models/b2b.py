"""Business accounts of the wholesale store: companies and their members, verification
documents and history, sellers (profit partners) and which seller owns which product."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

COMPANY_STATUSES = ("unverified", "pending", "verified", "rejected", "info_requested")
NET_TERMS = ("none", "net15", "net30")
DOCUMENT_KINDS = ("trade_license", "tin_certificate", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Company(IdMixin, TimestampMixin, Base):
    """A buyer's business (the seed's BusinessInfo). Verification is the company's status:
    only ``verified`` unlocks wholesale prices and ordering for its members."""

    __tablename__ = "b2b_companies"
    __table_args__ = (
        CheckConstraint(_in("status", COMPANY_STATUSES), name="status_known"),
        CheckConstraint(_in("net_terms", NET_TERMS), name="net_terms_known"),
        # A decision always says why when it refuses or asks for more.
        CheckConstraint(
            "status NOT IN ('rejected', 'info_requested') OR length(reason) > 0",
            name="reason_when_refused",
        ),
        Index("ix_b2b_companies_status_submitted", "status", "submitted_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_phone: Mapped[str] = mapped_column(String(40))
    contact_email: Mapped[str] = mapped_column(String(254))
    address_line: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    # The TIN is an identity number: AES-GCM ciphertext plus the last digits for display.
    tin_cipher: Mapped[str] = mapped_column(String(300))
    tin_hint: Mapped[str] = mapped_column(String(8))
    trade_license_number: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), default="unverified")
    reason: Mapped[str] = mapped_column(Text, default="")  # rejection or information request
    submitted_at: Mapped[datetime | None]
    reviewed_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    net_terms: Mapped[str] = mapped_column(String(6), default="none")


class CompanyMember(IdMixin, Base):
    """A user acting for a company. One company per user keeps "whose prices" unambiguous."""

    __tablename__ = "b2b_company_members"
    __table_args__ = (UniqueConstraint("user_id"),)

    company_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("b2b_companies.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="owner")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerificationDocument(IdMixin, Base):
    """An uploaded trade licence or certificate; the bytes live in private storage."""

    __tablename__ = "b2b_verification_documents"
    __table_args__ = (CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind_known"),)

    company_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("b2b_companies.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(BigId, ForeignKey("stored_files.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, for display only
    uploaded_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerificationEvent(IdMixin, Base):
    """History of a company's verification: submitted, approved, rejected, info requested,
    resubmitted, terms changed. Never updated."""

    __tablename__ = "b2b_verification_events"

    company_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("b2b_companies.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Seller(IdMixin, TimestampMixin, Base):
    """A seller / profit partner: owns products and sees only their numbers."""

    __tablename__ = "b2b_sellers"
    __table_args__ = (UniqueConstraint("user_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(160))
    is_profit_partner: Mapped[bool] = mapped_column(default=True)


class ProductSeller(Base):
    """Which seller owns a product; core products have no owner, and a product has at most
    one seller (the primary key)."""

    __tablename__ = "b2b_product_sellers"

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    seller_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("b2b_sellers.id", ondelete="CASCADE"), index=True
    )
