"""Business registration and verification: a company is registered, its documents uploaded,
then it is submitted; staff with ``b2b.verify`` approve it, reject it with a reason, or ask for
more information, which the buyer answers by re-submitting.

Status changes are conditional UPDATEs on the expected status, so two reviewers acting at
once cannot both decide (the second one gets a Conflict). Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, EmailStr, Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.security import FieldCipher, mask
from mercato.kit.time import utcnow
from mercato.models import Role, StoredFile, User, UserRole
from mercato.models.b2b import (
    NET_TERMS,
    Company,
    CompanyMember,
    VerificationDocument,
    VerificationEvent,
)
from mercato.platform import notifications
from mercato.platform.files import LocalStorage, clean_image, new_key

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 10
EDITABLE = frozenset({"unverified", "info_requested", "rejected"})
# action → (statuses it starts from, status it leads to)
TRANSITIONS = {
    "submitted": (EDITABLE, "pending"),
    "approved": (frozenset({"pending"}), "verified"),
    "rejected": (frozenset({"pending"}), "rejected"),
    "info_requested": (frozenset({"pending"}), "info_requested"),
}
DOCUMENT_LABELS = {
    "trade_license": "Trade licence",
    "tin_certificate": "TIN certificate",
    "other": "Other document",
}
STATUS_LABELS = {
    "unverified": "Not submitted yet",
    "pending": "Waiting for review",
    "verified": "Verified",
    "rejected": "Rejected",
    "info_requested": "More information needed",
}
_TIN = re.compile(r"^\d{12}$")  # Bangladesh e-TIN: 12 digits


class CompanyIn(BaseModel):
    """A business as the registration form or the API sends it."""

    name: str = Field(min_length=2, max_length=200)
    contact_name: str = Field(min_length=2, max_length=120)
    contact_phone: str = Field(min_length=6, max_length=40)
    contact_email: EmailStr
    address_line: str = Field(min_length=4, max_length=300)
    city: str = Field(min_length=2, max_length=120)
    district: str = Field(default="", max_length=120)
    postal_code: str = Field(default="", max_length=20)
    tin: str = Field(description="Bangladesh e-TIN, 12 digits.")
    trade_license_number: str = Field(min_length=4, max_length=60)

    @field_validator("name", "contact_name", "address_line", "city", "trade_license_number")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("tin")
    @classmethod
    def _tin(cls, value: str) -> str:
        digits = re.sub(r"[\s-]", "", value)
        if not _TIN.match(digits):
            raise ValueError("A TIN has 12 digits.")
        return digits


def private_storage(runtime: Any) -> LocalStorage:
    """Documents live outside the public /files mount of the store (docs/decisions.md)."""
    root = Path(runtime.settings.uploads_dir) / ".private" / runtime.slug
    return LocalStorage(root, url_prefix="")


def cipher(runtime: Any) -> FieldCipher:
    return FieldCipher(runtime.secret)


def masked_tin(company: Company) -> str:
    return mask("0" * 8 + company.tin_hint, 4)


async def company_of(db: AsyncSession, user: User) -> Company | None:
    return await db.scalar(
        select(Company)
        .join(CompanyMember, CompanyMember.company_id == Company.id)
        .where(CompanyMember.user_id == user.id)
    )


async def get_company(db: AsyncSession, company_id: int) -> Company:
    company = await db.get(Company, company_id)
    if company is None:
        raise NotFound("We could not find that business.")
    return company


async def _grant_role(db: AsyncSession, user: User, role_name: str) -> None:
    role = await db.scalar(select(Role).where(Role.name == role_name))
    if role is None:
        return
    held = await db.scalar(
        select(UserRole).where(UserRole.user_id == user.id, UserRole.role_id == role.id)
    )
    if held is None:
        db.add(UserRole(user_id=user.id, role_id=role.id))


def _event(
    db: AsyncSession, company: Company, action: str, actor: User | None, before: str, note=""
) -> None:
    db.add(
        VerificationEvent(
            company_id=company.id,
            action=action,
            from_status=before,
            to_status=company.status,
            note=note,
            actor_id=actor.id if actor else None,
        )
    )


def _apply(company: Company, data: CompanyIn, fields: FieldCipher) -> None:
    for name in (
        "name",
        "contact_name",
        "contact_phone",
        "contact_email",
        "address_line",
        "city",
        "district",
        "postal_code",
        "trade_license_number",
    ):
        setattr(company, name, getattr(data, name))
    company.tin_cipher = fields.encrypt(data.tin)
    company.tin_hint = data.tin[-4:]


async def register(db: AsyncSession, user: User, data: CompanyIn, fields: FieldCipher) -> Company:
    """A user registers their business (one per user); it starts unverified."""
    if await company_of(db, user) is not None:
        raise Conflict("You have already registered a business.", field="name")
    company = Company(status="unverified", net_terms="none")
    _apply(company, data, fields)
    db.add(company)
    await db.flush()
    db.add(CompanyMember(company_id=company.id, user_id=user.id, role="owner"))
    await _grant_role(db, user, "buyer")
    _event(db, company, "registered", user, "")
    await db.flush()
    return company


async def update_details(
    db: AsyncSession, company: Company, user: User, data: CompanyIn, fields: FieldCipher
) -> Company:
    if company.status not in EDITABLE:
        raise Conflict("The details cannot change while they are reviewed or once verified.")
    _apply(company, data, fields)
    _event(db, company, "edited", user, company.status)
    await db.flush()
    return company


def _document_type(raw: bytes) -> tuple[bytes, str, str]:
    """Checks a document by its content: a PDF, or an image we re-encode."""
    if raw.startswith(b"%PDF-"):
        if b"%%EOF" not in raw[-2048:]:
            raise ValidationFailed("That PDF looks incomplete; upload it again.", field="file")
        return raw, "application/pdf", "pdf"
    image = clean_image(raw, max_bytes=MAX_DOCUMENT_BYTES, field="file")
    return image.data, image.content_type, image.extension


async def add_document(
    db: AsyncSession,
    storage: LocalStorage,
    company: Company,
    user: User,
    *,
    kind: str,
    filename: str,
    raw: bytes,
) -> VerificationDocument:
    if company.status not in EDITABLE:
        raise Conflict("Documents cannot change while they are reviewed or once verified.")
    if kind not in DOCUMENT_LABELS:
        raise ValidationFailed("Choose what the document is.", field="kind")
    if not raw:
        raise ValidationFailed("The file is empty.", field="file")
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed("The file is larger than 5 MB.", field="file")
    count = len(await documents_of(db, company.id))
    if count >= MAX_DOCUMENTS:
        raise ValidationFailed(f"At most {MAX_DOCUMENTS} documents per business.", field="file")
    data, content_type, extension = _document_type(raw)
    key = new_key(f"b2b/{company.id}", extension)
    await storage.save(key, data)
    stored = StoredFile(
        key=key,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        owner_id=user.id,
    )
    db.add(stored)
    await db.flush()
    name = Path(filename or f"document.{extension}").name[:200]
    document = VerificationDocument(
        company_id=company.id, file_id=stored.id, kind=kind, filename=name, uploaded_by=user.id
    )
    db.add(document)
    _event(db, company, "document_added", user, company.status, DOCUMENT_LABELS[kind])
    await db.flush()
    return document


async def documents_of(db: AsyncSession, company_id: int) -> list[VerificationDocument]:
    return list(
        await db.scalars(
            select(VerificationDocument)
            .where(VerificationDocument.company_id == company_id)
            .order_by(VerificationDocument.id)
        )
    )


@dataclass
class DocumentFile:
    document: VerificationDocument
    file: StoredFile


async def document_file(db: AsyncSession, company_id: int, document_id: int) -> DocumentFile:
    """A document of this company (another company's id is "not found")."""
    row = (
        await db.execute(
            select(VerificationDocument, StoredFile)
            .join(StoredFile, StoredFile.id == VerificationDocument.file_id)
            .where(
                VerificationDocument.id == document_id,
                VerificationDocument.company_id == company_id,
            )
        )
    ).first()
    if row is None:
        raise NotFound("We could not find that document.")
    return DocumentFile(*row)


async def events_of(db: AsyncSession, company_id: int) -> list[VerificationEvent]:
    return list(
        await db.scalars(
            select(VerificationEvent)
            .where(VerificationEvent.company_id == company_id)
            .order_by(VerificationEvent.id)
        )
    )


async def _move(
    db: AsyncSession, company: Company, action: str, actor: User, reason: str = ""
) -> Company:
    starts, target = TRANSITIONS[action]
    before = company.status
    values: dict[str, Any] = {"status": target, "updated_at": utcnow()}
    if action == "submitted":
        values |= {"submitted_at": utcnow(), "reason": company.reason}
    else:
        values |= {"reviewed_by": actor.id, "reviewed_at": utcnow(), "reason": reason}
    result = await db.execute(
        update(Company)
        .where(Company.id == company.id, Company.status.in_(starts))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.refresh(company)
        raise Conflict(
            f"This business is {STATUS_LABELS[company.status].lower()}; it cannot be {action}."
        )
    await db.refresh(company)
    _event(db, company, action, actor, before, reason)
    await db.flush()
    return company


async def submit(db: AsyncSession, company: Company, user: User) -> Company:
    """Sends the business to the review queue; a trade licence is required."""
    kinds = {d.kind for d in await documents_of(db, company.id)}
    if "trade_license" not in kinds:
        raise ValidationFailed("Upload your trade licence before submitting.", field="documents")
    return await _move(db, company, "submitted", user)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationFailed("Tell the business why, in a sentence.", field="reason")
    return reason[:2000]


async def members_of(db: AsyncSession, company_id: int) -> list[int]:
    return list(
        await db.scalars(
            select(CompanyMember.user_id).where(CompanyMember.company_id == company_id)
        )
    )


async def _tell_members(
    db: AsyncSession, runtime: Any, company: Company, title: str, body: str
) -> None:
    for user_id in await members_of(db, company.id):
        await notifications.notify(
            db, user_id=user_id, title=title, body=body, link=runtime.path("verify")
        )


async def reviewers(db: AsyncSession) -> list[int]:
    """Users who may decide verifications: their roles hold ``b2b.verify`` or everything."""
    from mercato.b2b.access import VERIFY
    from mercato.identity.permissions import has_permission

    rows = await db.execute(
        select(UserRole.user_id, Role.permissions).join(Role, Role.id == UserRole.role_id)
    )
    return sorted({uid for uid, perms in rows.all() if has_permission(frozenset(perms), VERIFY)})


async def tell_reviewers(db: AsyncSession, runtime: Any, company: Company) -> None:
    """A submission waits in the queue: every reviewer gets an in-app notification."""
    for user_id in await reviewers(db):
        await notifications.notify(
            db,
            user_id=user_id,
            title=f"{company.name} asks to be verified",
            body=f"{company.city} · trade licence {company.trade_license_number}",
            link=runtime.path(f"admin/b2b/verifications/{company.id}"),
        )


async def approve(db: AsyncSession, runtime: Any, company: Company, actor: User) -> Company:
    await _move(db, company, "approved", actor)
    await _tell_members(
        db,
        runtime,
        company,
        "Your business is verified",
        f"{company.name} can now see wholesale prices and place orders.",
    )
    return company


async def reject(
    db: AsyncSession, runtime: Any, company: Company, actor: User, reason: str
) -> Company:
    await _move(db, company, "rejected", actor, _reason(reason))
    await _tell_members(
        db, runtime, company, "Your business verification was declined", company.reason
    )
    return company


async def request_info(
    db: AsyncSession, runtime: Any, company: Company, actor: User, reason: str
) -> Company:
    await _move(db, company, "info_requested", actor, _reason(reason))
    await _tell_members(db, runtime, company, "We need more information", company.reason)
    return company


async def set_net_terms(db: AsyncSession, company: Company, actor: User, terms: str) -> Company:
    if terms not in NET_TERMS:
        raise ValidationFailed("Choose none, Net 15 or Net 30.", field="net_terms")
    if terms != "none" and company.status != "verified":
        raise Conflict("Payment terms are for verified businesses.", field="net_terms")
    before = company.net_terms
    company.net_terms = terms
    _event(db, company, "net_terms", actor, company.status, f"{before} → {terms}")
    await db.flush()
    return company


async def queue(db: AsyncSession, status: str | None = "pending") -> list[Company]:
    """The review queue, oldest submission first; ``None`` lists every business."""
    query = select(Company)
    if status:
        query = query.where(Company.status == status)
    return list(
        await db.scalars(query.order_by(Company.submitted_at.asc().nulls_last(), Company.id))
    )
