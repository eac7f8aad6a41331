"""Demo data from ``stores/<slug>/seed/insurance.yaml``: plans, customers with policies in
every status (with generated photos and sandbox payments), and claims in several states.

Idempotent: plans are matched by name, policies by ear tag, claims by (policy, type,
incident date). The seeder has no store runtime, so rows are written directly following
the state machines, and no email or notification is sent for demo data."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.insurance import files
from mercato.insurance import service as insurance_service
from mercato.kit.security import new_token
from mercato.kit.time import utcnow
from mercato.models.identity import Role
from mercato.models.insurance import (
    Claim,
    ClaimDocument,
    Policy,
    PolicyPayment,
    PolicyPhoto,
    PolicyPlan,
)
from mercato.platform import files as platform_files

PAID_STATUSES = {"PENDING_APPROVAL", "APPROVED", "EXPIRED", "REJECTED", "CANCELLED"}


def _paise(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


def animal_photo(colour: tuple[int, int, int], tag: str, *, close_up: bool) -> bytes:
    """A simple drawing of the animal in a field (or its ear tag up close), as JPEG."""
    img = Image.new("RGB", (640, 480), (120, 170, 90))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 640, 190), fill=(170, 205, 235))  # sky
    if close_up:
        draw.ellipse((120, 80, 520, 430), fill=colour)  # head
        draw.polygon([(130, 170), (40, 120), (150, 230)], fill=colour)  # ear
        draw.rectangle((60, 120, 200, 185), fill=(245, 205, 40), outline=(60, 60, 60), width=3)
        draw.text((72, 140), tag, fill=(20, 20, 20))
    else:
        draw.ellipse((150, 190, 470, 360), fill=colour)  # body
        draw.ellipse((430, 150, 540, 250), fill=colour)  # head
        for x in (190, 240, 380, 430):
            draw.rectangle((x, 330, x + 22, 430), fill=colour)  # legs
        draw.rectangle((500, 175, 540, 195), fill=(245, 205, 40))  # ear tag
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return out.getvalue()


def document_pdf(title: str, lines: list[str]) -> bytes:
    from fpdf import FPDF  # only seeding draws these (kit/pdf.py: fpdf2 is imported late)

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


async def seed_insurance(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / "insurance.yaml"
    if not path.is_file():
        return "no insurance.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    today = utcnow().astimezone(ZoneInfo(ctx.config.timezone)).date()
    plans = await _plans(db, data.get("plans", []))
    owners = await _customers(db, ctx, data)
    made = 0
    by_tag: dict[str, Policy] = {}
    for spec in data.get("policies", []):
        tag = str(spec["cattle"]["ear_tag"])
        existing = await db.scalar(select(Policy).where(Policy.ear_tag == tag))
        if existing is None:
            existing = await _policy(db, ctx, spec, plans, owners, today)
            made += 1
        by_tag[tag] = existing
    claims_made = 0
    for spec in data.get("claims", []):
        policy = by_tag.get(str(spec["ear_tag"]))
        if policy is not None and await _claim(db, ctx, spec, policy, today):
            claims_made += 1
    await db.flush()
    return f"{len(plans)} plans, {made} new policies, {claims_made} new claims"


async def _plans(db: AsyncSession, specs: list[dict]) -> dict[str, PolicyPlan]:
    plans = {}
    for spec in specs:
        plan = await db.scalar(select(PolicyPlan).where(PolicyPlan.name == spec["name"]))
        if plan is None:
            rate = spec.get("rate_percent")
            plan = PolicyPlan(
                name=spec["name"],
                description=spec.get("description", ""),
                cattle_type=spec["cattle_type"],
                min_age=int(spec["min_age"]),
                max_age=int(spec["max_age"]),
                coverage_minor=_paise(spec["coverage"]),
                premium_minor=_paise(spec["premium"]) if "premium" in spec else None,
                premium_rate_bp=int(Decimal(str(rate)) * 100) if rate is not None else None,
                currency="INR",
                duration_months=int(spec.get("duration_months", 12)),
                features=list(spec.get("features", [])),
                disease_waiting_days=int(spec.get("disease_waiting_days", 0)),
                is_active=bool(spec.get("active", True)),
            )
            db.add(plan)
            await db.flush()
        plans[plan.name] = plan
    return plans


async def _customers(db: AsyncSession, ctx: Any, data: dict) -> dict[str, tuple[Any, dict]]:
    # Imported here: platform.seeding imports the module registry, which imports this file.
    from mercato.platform.seeding import ensure_user

    role = await db.scalar(select(Role).where(Role.name == "customer"))
    roles = {"customer": role} if role is not None else {}
    owners = {}
    for spec in data.get("customers", []):
        email = spec["email"]
        user = ctx.users.get(email)
        if user is None and roles:
            user, _ = await ensure_user(
                db,
                roles,
                email=email,
                password=str(data.get("password") or new_token(12)),
                name=spec.get("name", email),
                role_names=["customer"],
            )
        if user is not None:
            owners[email] = (user, spec.get("owner", {}))
    return owners


async def _agent(db: AsyncSession, code: str) -> Any:
    agents = insurance_service.agents_service()
    if not code or agents is None:
        return None
    return await agents.agent_by_code(db, code)


async def _policy(db, ctx, spec: dict, plans, owners, today: date) -> Policy:
    user, owner = owners[spec["customer"]]
    plan = plans[spec["plan"]]
    cattle = spec["cattle"]
    status = spec["status"]
    agent = await _agent(db, str(spec.get("agent_code") or ""))
    now = utcnow()
    policy = Policy(
        customer_id=user.id,
        plan_id=plan.id,
        agent_id=agent.id if agent else None,
        agent_user_id=agent.user_id if agent else None,
        agent_code=agent.code if agent else "",
        status="PENDING",
        payment_status="PENDING",
        cattle_type=cattle["type"],
        ear_tag=cattle["ear_tag"],
        age=int(cattle["age"]),
        breed=cattle["breed"],
        gender=cattle["gender"],
        milk_yield=Decimal(str(cattle["milk_yield"])) if "milk_yield" in cattle else None,
        health_status=cattle["health_status"],
        owner_name=owner.get("name", user.name),
        owner_email=user.email,
        owner_phone=owner.get("phone", "+919800000000"),
        owner_address=owner.get("address", ""),
        owner_city=owner.get("city", ""),
        owner_state=owner.get("state", ""),
        owner_pincode=owner.get("pincode", "110001"),
        coverage_minor=plan.coverage_minor,
        premium_minor=insurance_service.premium_of(plan),
        currency=plan.currency,
        duration_months=plan.duration_months,
        disease_waiting_days=plan.disease_waiting_days,
    )
    db.add(policy)
    await db.flush()
    colour = tuple(spec.get("colour", [220, 220, 220]))
    for position, close_up in enumerate((False, True)):
        clean = files.clean_image(
            animal_photo(colour, policy.ear_tag, close_up=close_up), max_bytes=files.MAX_PHOTO_BYTES
        )
        stored = await files.save_image(
            platform_files.private_storage(ctx.settings.uploads_dir, ctx.config.slug),
            clean,
            f"policies/{policy.id}",
        )
        db.add(
            PolicyPhoto(
                policy_id=policy.id,
                storage_key=stored.key,
                content_type=stored.content_type,
                width=stored.width,
                height=stored.height,
                sha256=stored.sha256,
                position=position,
            )
        )
    if status in PAID_STATUSES:
        days = int(spec.get("approved_days_ago", spec.get("paid_days_ago", 1)))
        paid_at = now - timedelta(days=days, hours=2)
        payment = PolicyPayment(
            policy_id=policy.id,
            customer_id=user.id,
            provider="sandbox",
            order_ref=f"sbx_order_seed_{policy.ear_tag}",
            payment_id=f"sbx_pay_seed_{policy.ear_tag}",
            amount=policy.premium_minor,
            currency=policy.currency,
            status="succeeded",
            method="card",
            paid_at=paid_at,
        )
        db.add(payment)
        policy.payment_status, policy.paid_at = "PAID", paid_at
        policy.status = "PENDING_APPROVAL"
        if status in ("APPROVED", "EXPIRED"):
            start = today - timedelta(days=days)
            policy.status = "APPROVED"
            policy.start_date = start
            policy.end_date = insurance_service.add_months(start, policy.duration_months)
            policy.policy_number = insurance_service.policy_number(policy, start)
            policy.approved_at = now - timedelta(days=days)
            if status == "EXPIRED" or policy.end_date < today:
                policy.status = "EXPIRED"
        elif status == "REJECTED":
            policy.status = "REJECTED"
            policy.rejected_at = now - timedelta(days=max(days - 1, 0))
            policy.rejection_reason = spec.get("reason", "")
        elif status == "CANCELLED":
            policy.status = "CANCELLED"
            policy.cancelled_at = now - timedelta(days=max(days - 2, 0))
            policy.cancellation_reason = spec.get("reason", "")
        if status in ("REJECTED", "CANCELLED"):
            payment.status = "refunded"
            payment.refund_id = f"sbx_rfnd_seed_{policy.ear_tag}"
            payment.refunded_at = now - timedelta(days=max(days - 2, 0))
            policy.payment_status = "REFUNDED"
    await db.flush()
    if policy.status == "APPROVED" and agent is not None:
        agents = insurance_service.agents_service()
        await agents.record_sale_commissions(
            db,
            agent_id=agent.id,
            source_type="policy",
            source_id=policy.id,
            base_amount_minor=policy.premium_minor,
            label=f"Policy #{policy.policy_number}",
        )
    return policy


async def _claim(db, ctx, spec: dict, policy: Policy, today: date) -> bool:
    incident = today - timedelta(days=int(spec["incident_days_ago"]))
    exists = await db.scalar(
        select(Claim.id).where(
            Claim.policy_id == policy.id,
            Claim.claim_type == spec["type"],
            Claim.incident_date == incident,
        )
    )
    if exists:
        return False
    now = utcnow()
    status = spec["status"]
    claim = Claim(
        policy_id=policy.id,
        customer_id=policy.customer_id,
        filed_by=policy.customer_id,
        claim_type=spec["type"],
        incident_date=incident,
        amount_minor=_paise(spec["amount"]),
        currency=policy.currency,
        description=spec["description"],
        status=status,
        documents_requested=spec.get("requested", ""),
        rejection_reason=spec.get("reason", ""),
        settled_minor=_paise(spec["settled"]) if "settled" in spec else None,
        payout_reference=spec.get("payout", ""),
        paid_at=now - timedelta(days=3) if status == "paid" else None,
        reviewed_at=now - timedelta(days=5) if status != "pending" else None,
    )
    db.add(claim)
    await db.flush()
    claim.claim_number = f"CLM-{incident.year}-{claim.id:06d}"
    vet = document_pdf(
        "Veterinary certificate",
        [
            f"Animal: {policy.cattle_type}, ear tag {policy.ear_tag}, {policy.breed}.",
            f"Examined on {incident:%d %b %Y}.",
            spec["description"],
            "Signed: Dr. A. Kulkarni, B.V.Sc. & A.H., Reg. No. MH-VET-4471 (demo document)",
        ],
    )
    tag_photo = files.clean_image(
        animal_photo((200, 200, 200), policy.ear_tag, close_up=True),
        max_bytes=files.MAX_PHOTO_BYTES,
    )
    uploads: list[tuple[str, files.Upload, Any]] = [
        ("vet_certificate", files.Upload(vet, "vet-certificate.pdf"), None)
    ]
    uploads.append(("ear_tag_photo", files.Upload(tag_photo.data, "ear-tag.jpg"), tag_photo))
    for kind, upload, clean in uploads:
        stored = await files.save_document(
            platform_files.private_storage(ctx.settings.uploads_dir, ctx.config.slug),
            upload,
            clean,
            f"claims/{claim.id}",
        )
        db.add(
            ClaimDocument(
                claim_id=claim.id,
                kind=kind,
                storage_key=stored.key,
                content_type=stored.content_type,
                filename=upload.filename,
                size=stored.size,
                uploaded_by=policy.customer_id,
            )
        )
    await db.flush()
    return True
