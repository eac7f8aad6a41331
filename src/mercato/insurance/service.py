"""Plans and policies: premiums, applications and their rules, underwriting (approve,
reject, cancel), renewals and expiry. Services flush, never commit.

Import as ``from mercato.insurance import service as insurance_service``.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mercato.insurance import files, notices, states
from mercato.insurance.schemas import ApplicationIn, PlanIn
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.money import format_money, half_up
from mercato.kit.pagination import Page, paginate
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.insurance import (
    LIVE_STATUSES,
    PaymentState,
    Policy,
    PolicyPhoto,
    PolicyPlan,
    PolicyStatus,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.insurance")
RENEWAL_NOTICE_DAYS = 14
# An unpaid application holds its ear tag; after this long it is cancelled so the tag is
# free again (money arriving later is refunded by payments.credit).
STALE_APPLICATION_DAYS = 14


def agents_service() -> Any:
    """The agents module's service when it is installed; None otherwise. Imported late so
    insurance works in a store (or a checkout) without the agent network."""
    try:
        from mercato.agents import service
    except ImportError:
        return None
    return service


# --- plans ---------------------------------------------------------------------------------


def premium_of(plan: PolicyPlan) -> int:
    """The plan's premium in minor units: the fixed amount, or the rate of the coverage
    rounded half-up once."""
    if plan.premium_minor is not None:
        return plan.premium_minor
    assert plan.premium_rate_bp is not None
    return half_up(Decimal(plan.coverage_minor) * plan.premium_rate_bp / 10000)


def eligibility(plan: PolicyPlan, cattle_type: str | None, age: int | None) -> list[str]:
    """Why this animal cannot have this plan (empty when it can)."""
    reasons = []
    if cattle_type and plan.cattle_type != "both" and plan.cattle_type != cattle_type:
        reasons.append(f"This plan covers {plan.cattle_type}s only.")
    if age is not None and not plan.min_age <= age <= plan.max_age:
        reasons.append(f"This plan covers animals aged {plan.min_age} to {plan.max_age} years.")
    return reasons


async def list_plans(db: AsyncSession, *, active_only: bool = True) -> list[PolicyPlan]:
    stmt = select(PolicyPlan).order_by(PolicyPlan.coverage_minor, PolicyPlan.id)
    if active_only:
        stmt = stmt.where(PolicyPlan.is_active.is_(True))
    return list(await db.scalars(stmt))


async def get_plan(db: AsyncSession, plan_id: int, *, active_only: bool = True) -> PolicyPlan:
    plan = await db.get(PolicyPlan, plan_id)
    if plan is None or (active_only and not plan.is_active):
        raise NotFound("We could not find that plan.", field="plan_id")
    return plan


def _check_plan(data: PlanIn) -> None:
    if data.max_age < data.min_age:
        raise ValidationFailed("The maximum age is below the minimum age.", field="max_age")
    if (data.premium_minor is None) == (data.premium_rate_bp is None):
        raise ValidationFailed(
            "Give either a fixed premium or a rate of the coverage, not both.",
            field="premium_minor",
        )


async def save_plan(db: AsyncSession, data: PlanIn, plan: PolicyPlan | None = None) -> PolicyPlan:
    _check_plan(data)
    clash = await db.scalar(select(PolicyPlan.id).where(PolicyPlan.name == data.name))
    if clash is not None and (plan is None or clash != plan.id):
        raise ValidationFailed("Another plan has this name.", field="name")
    if plan is None:
        plan = PolicyPlan(currency="INR")
        db.add(plan)
    for key, value in data.model_dump().items():
        if key == "features":
            value = [" ".join(f.split())[:200] for f in value if f.strip()]
        setattr(plan, key, value)
    await db.flush()
    return plan


# --- applications --------------------------------------------------------------------------


async def live_policy_for_tag(db: AsyncSession, ear_tag: str) -> Policy | None:
    return await db.scalar(
        select(Policy).where(Policy.ear_tag == ear_tag, Policy.status.in_(LIVE_STATUSES))
    )


async def apply(
    db: AsyncSession,
    runtime: StoreRuntime,
    customer: User,
    data: ApplicationIn,
    photos: list[files.Upload],
) -> Policy:
    """Create a PENDING policy (payment PENDING) from the application form.

    Rules: the plan is active and allows the cattle type and age; the ear tag has no other
    live policy (checked here for a friendly message, and by a partial unique index so two
    simultaneous applications cannot both pass); at least two readable photos; an agent
    code, when given, names an approved agent.
    """
    plan = await get_plan(db, data.plan_id)
    cattle = data.cattle
    if plan.cattle_type != "both" and plan.cattle_type != cattle.type:
        raise ValidationFailed(f"This plan covers {plan.cattle_type}s only.", field="cattle.type")
    if not plan.min_age <= cattle.age <= plan.max_age:
        raise ValidationFailed(
            f"This plan covers animals aged {plan.min_age} to {plan.max_age} years.",
            field="cattle.age",
        )
    if await live_policy_for_tag(db, cattle.ear_tag) is not None:
        raise ValidationFailed(
            "This ear tag already has an active or pending policy.", field="cattle.ear_tag"
        )
    agent_id = agent_user_id = None
    code = "".join(data.agent_code.split()).upper()
    if code:
        agents = agents_service()
        agent = await agents.agent_by_code(db, code) if agents is not None else None
        if agent is None:
            raise ValidationFailed("No approved agent has this code.", field="agent_code")
        agent_id, agent_user_id = agent.id, agent.user_id
    cleaned = files.check_photos(photos)
    owner = data.owner
    policy = Policy(
        customer_id=customer.id,
        plan_id=plan.id,
        agent_id=agent_id,
        agent_user_id=agent_user_id,
        agent_code=code if agent_id else "",
        status=PolicyStatus.PENDING.value,
        payment_status=PaymentState.PENDING.value,
        cattle_type=cattle.type,
        ear_tag=cattle.ear_tag,
        age=cattle.age,
        breed=cattle.breed,
        gender=cattle.gender,
        milk_yield=cattle.milk_yield,
        health_status=cattle.health_status,
        owner_name=owner.name,
        owner_email=owner.email,
        owner_phone=owner.phone,
        owner_address=owner.address,
        owner_city=owner.city,
        owner_state=owner.state,
        owner_pincode=owner.pincode,
        coverage_minor=plan.coverage_minor,
        premium_minor=premium_of(plan),
        currency=plan.currency,
        duration_months=plan.duration_months,
        disease_waiting_days=plan.disease_waiting_days,
    )
    try:
        async with db.begin_nested():
            db.add(policy)
            await db.flush()
    except IntegrityError:
        # Another application for this tag committed between our check and our insert.
        raise ValidationFailed(
            "This ear tag already has an active or pending policy.", field="cattle.ear_tag"
        ) from None
    for position, clean in enumerate(cleaned):
        stored = await files.save_image(
            files.private_storage(runtime), clean, f"policies/{policy.id}"
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
    await db.flush()
    return policy


# --- reading -------------------------------------------------------------------------------


async def policy_for(db: AsyncSession, user: User, policy_id: int, *, lock: bool = False) -> Policy:
    """The customer's own policy, or one they sold as its agent; NotFound for anyone else's
    (never 403, so ids cannot be probed)."""
    stmt = select(Policy).where(Policy.id == policy_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    policy = await db.scalar(stmt)
    if policy is None or user.id not in (policy.customer_id, policy.agent_user_id):
        raise NotFound("We could not find that policy.", field="policy_id")
    return policy


async def get_policy(db: AsyncSession, policy_id: int, *, lock: bool = False) -> Policy:
    stmt = select(Policy).where(Policy.id == policy_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    policy = await db.scalar(stmt)
    if policy is None:
        raise NotFound("We could not find that policy.", field="policy_id")
    return policy


async def policies_of(db: AsyncSession, user_id: int) -> list[Policy]:
    return list(
        await db.scalars(
            select(Policy)
            .where(Policy.customer_id == user_id)
            .order_by(Policy.created_at.desc(), Policy.id.desc())
        )
    )


async def photos_of(db: AsyncSession, policy_id: int) -> list[PolicyPhoto]:
    return list(
        await db.scalars(
            select(PolicyPhoto)
            .where(PolicyPhoto.policy_id == policy_id)
            .order_by(PolicyPhoto.position, PolicyPhoto.id)
        )
    )


async def policies_sold(db: AsyncSession, agent_id: int) -> list[Policy]:
    """The policies an agent sold, newest first (for the agents module's dashboard)."""
    return list(
        await db.scalars(
            select(Policy)
            .where(Policy.agent_id == agent_id)
            .order_by(Policy.created_at.desc(), Policy.id.desc())
        )
    )


async def admin_list(
    db: AsyncSession, *, status: str = "", page: int = 1, per_page: int = 25
) -> Page[Policy]:
    stmt = select(Policy).order_by(Policy.created_at.desc(), Policy.id.desc())
    if status:
        stmt = stmt.where(Policy.status == status)
    return await paginate(db, stmt, page, per_page, clamp=True)


async def counts_by_status(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(Policy.status, func.count()).group_by(Policy.status))
    return {status: int(n) for status, n in rows.all()}


async def stats(db: AsyncSession) -> dict[str, Any]:
    """The numbers of the insurance overview (admin page and API)."""
    from mercato.models.insurance import Claim, PolicyPayment

    collected = int(
        await db.scalar(
            select(func.coalesce(func.sum(PolicyPayment.amount), 0)).where(
                PolicyPayment.status == "succeeded"
            )
        )
        or 0
    )
    rows = await db.execute(select(Claim.status, func.count()).group_by(Claim.status))
    settled = int(
        await db.scalar(
            select(func.coalesce(func.sum(Claim.settled_minor), 0)).where(
                Claim.status.in_(("approved", "paid"))
            )
        )
        or 0
    )
    return {
        "policies_by_status": await counts_by_status(db),
        "premium_collected_minor": collected,
        "claims_by_status": {s: int(n) for s, n in rows.all()},
        "claims_settled_minor": settled,
        "claims_ratio": round(settled / collected, 4) if collected else 0.0,
    }


# --- underwriting --------------------------------------------------------------------------


def local_today(runtime: StoreRuntime) -> date:
    return utcnow().astimezone(ZoneInfo(runtime.config.timezone)).date()


def add_months(start: date, months: int) -> date:
    """The day before the same date ``months`` later (12 months from 1 Jan ends 31 Dec);
    a month without that day uses its last day."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day) - timedelta(days=1)


def policy_number(policy: Policy, today: date) -> str:
    return f"GR-{today.year}-{policy.id:06d}"


def money(runtime: StoreRuntime, amount: int, currency: str) -> str:
    return format_money(amount, currency, runtime.config.locale)


async def approve(db: AsyncSession, runtime: StoreRuntime, actor: User, policy_id: int) -> Policy:
    """Underwriter's yes: number, dates, commissions for the selling agent's chain, then the
    customer and agent are told and the certificate PDF is emailed (attached, and linked)."""
    policy = await get_policy(db, policy_id, lock=True)
    if policy.payment_status != PaymentState.PAID:
        raise Conflict("Only a paid policy can be approved.", field="status", code="not_paid")
    states.move_policy(policy, PolicyStatus.APPROVED)
    today = local_today(runtime)
    policy.policy_number = policy_number(policy, today)
    policy.start_date = today
    policy.end_date = add_months(today, policy.duration_months)
    policy.approved_by = actor.id
    policy.approved_at = utcnow()
    await db.flush()
    if policy.agent_id:
        agents = agents_service()
        if agents is not None:
            await agents.record_sale_commissions(
                db,
                agent_id=policy.agent_id,
                source_type="policy",
                source_id=policy.id,
                base_amount_minor=policy.premium_minor,
                label=f"Policy #{policy.policy_number}",
            )
    link = f"account/policies/{policy.id}"
    title = f"Policy {policy.policy_number} approved"
    body = (
        f"Your {policy.cattle_type} (tag {policy.ear_tag}) is insured from "
        f"{policy.start_date:%d %b %Y} to {policy.end_date:%d %b %Y}."
    )
    await notices.notify_user(db, runtime, policy.customer_id, title, body, link, "success")
    await notices.notify_user(
        db,
        runtime,
        policy.agent_user_id,
        f"Your sale {policy.policy_number} was approved",
        f"{policy.owner_name}'s {policy.cattle_type} (tag {policy.ear_tag}), premium "
        f"{money(runtime, policy.premium_minor, policy.currency)}.",
        "",
        "success",
    )
    from mercato.insurance import certificate
    from mercato.platform.email import Attachment

    plan = await get_plan(db, policy.plan_id, active_only=False)
    await notices.email(
        db,
        runtime,
        to=policy.owner_email,
        name=policy.owner_name,
        subject=f"Your policy {policy.policy_number} is approved",
        paragraphs=[
            body,
            f"Coverage: {money(runtime, policy.coverage_minor, policy.currency)}. The policy "
            "certificate is attached (PDF); keep it with your papers. It is also in your "
            "account.",
        ],
        link=f"{link}/certificate.pdf",
        link_label="Download your policy certificate",
        attachments=[
            Attachment(
                f"policy-{policy.policy_number}.pdf",
                "application/pdf",
                certificate.render_pdf(runtime, policy, plan),
            )
        ],
    )
    return policy


async def reject(
    db: AsyncSession, runtime: StoreRuntime, actor: User, policy_id: int, reason: str
) -> Policy:
    """Underwriter's no, with a reason the customer sees; the premium is refunded."""
    from mercato.insurance import payments

    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValidationFailed("Tell the customer why (at least 5 characters).", field="reason")
    policy = await get_policy(db, policy_id, lock=True)
    states.move_policy(policy, PolicyStatus.REJECTED)
    policy.rejected_by = actor.id
    policy.rejected_at = utcnow()
    policy.rejection_reason = reason[:500]
    await payments.refund_policy(db, runtime, policy, f"Application rejected: {reason}")
    await db.flush()
    link = f"account/policies/{policy.id}"
    await notices.notify_user(
        db, runtime, policy.customer_id, "Your policy application was not approved", reason, link
    )
    await notices.email(
        db,
        runtime,
        to=policy.owner_email,
        name=policy.owner_name,
        subject="Your cattle insurance application",
        paragraphs=[
            f"We could not approve the policy for tag {policy.ear_tag}: {reason}",
            "The premium has been refunded to the way you paid.",
        ],
        link=link,
        link_label="See your application",
    )
    return policy


async def cancel(
    db: AsyncSession,
    runtime: StoreRuntime,
    policy: Policy,
    reason: str,
    *,
    refund: bool,
) -> Policy:
    """Cancel a policy (the customer before paying, an admin at any live stage). Paid money
    is refunded when ``refund``; commissions of an approved policy are reversed."""
    from mercato.insurance import payments

    reason = " ".join(reason.split()) or "Cancelled."
    was = policy.status
    states.move_policy(policy, PolicyStatus.CANCELLED)
    policy.cancelled_at = utcnow()
    policy.cancellation_reason = reason[:500]
    if refund and policy.payment_status == PaymentState.PAID:
        await payments.refund_policy(db, runtime, policy, f"Policy cancelled: {reason}")
    if was == PolicyStatus.APPROVED and policy.agent_id:
        agents = agents_service()
        if agents is not None:
            await agents.reverse_commissions(
                db, source_type="policy", source_id=policy.id, reason=reason
            )
    await db.flush()
    if was != PolicyStatus.PENDING:
        await notices.notify_user(
            db,
            runtime,
            policy.customer_id,
            f"Policy {policy.policy_number or '#' + str(policy.id)} cancelled",
            reason,
            f"account/policies/{policy.id}",
            "warning",
        )
    return policy


# --- scheduled work ------------------------------------------------------------------------


async def send_renewal_reminders(db: AsyncSession, runtime: StoreRuntime) -> int:
    """Remind once, 14 days (or fewer, after downtime) before a policy ends."""
    today = local_today(runtime)
    due = list(
        await db.scalars(
            select(Policy)
            .where(
                Policy.status == PolicyStatus.APPROVED,
                Policy.end_date <= today + timedelta(days=RENEWAL_NOTICE_DAYS),
                Policy.end_date >= today,
                Policy.renewal_reminded_at.is_(None),
            )
            .order_by(Policy.id)
            .with_for_update(skip_locked=True)
        )
    )
    for policy in due:
        policy.renewal_reminded_at = utcnow()
        assert policy.end_date is not None
        text = (
            f"Policy {policy.policy_number} for tag {policy.ear_tag} ends on "
            f"{policy.end_date:%d %b %Y}. Renew it to keep your animal covered."
        )
        link = f"insurance/plans?cattle_type={policy.cattle_type}"
        await notices.notify_user(
            db, runtime, policy.customer_id, "Time to renew your policy", text, link
        )
        await notices.email(
            db,
            runtime,
            to=policy.owner_email,
            name=policy.owner_name,
            subject=f"Your policy {policy.policy_number} ends soon",
            paragraphs=[text],
            link=link,
            link_label="Choose a plan to renew",
        )
    await db.flush()
    return len(due)


async def expire_policies(db: AsyncSession, runtime: StoreRuntime) -> int:
    """Approved policies whose last day has passed become EXPIRED."""
    today = local_today(runtime)
    ended = list(
        await db.scalars(
            select(Policy)
            .where(Policy.status == PolicyStatus.APPROVED, Policy.end_date < today)
            .order_by(Policy.id)
            .with_for_update(skip_locked=True)
        )
    )
    for policy in ended:
        states.move_policy(policy, PolicyStatus.EXPIRED)
    await db.flush()
    return len(ended)


async def cancel_stale_applications(db: AsyncSession, runtime: StoreRuntime) -> int:
    """Unpaid applications older than STALE_APPLICATION_DAYS are cancelled."""
    cutoff = utcnow() - timedelta(days=STALE_APPLICATION_DAYS)
    stale = list(
        await db.scalars(
            select(Policy)
            .where(Policy.status == PolicyStatus.PENDING, Policy.created_at < cutoff)
            .order_by(Policy.id)
            .with_for_update(skip_locked=True)
        )
    )
    for policy in stale:
        await cancel(db, runtime, policy, "Not paid within 14 days.", refund=False)
    return len(stale)
