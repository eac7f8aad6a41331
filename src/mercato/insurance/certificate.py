"""The policy certificate, a one-page PDF drawn with fpdf2's core fonts (the invoice's
approach: Windows-1252 text, anything else reduced to plain letters). The rupee sign is not
in that code page, so amounts read "Rs." on paper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.responses import Response

from mercato.kit.errors import NotFound
from mercato.kit.pdf import document, text
from mercato.models.insurance import Policy, PolicyPlan, PolicyStatus

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

ISSUED = frozenset({PolicyStatus.APPROVED, PolicyStatus.EXPIRED, PolicyStatus.CANCELLED})


def available(policy: Policy) -> bool:
    return policy.status in ISSUED and policy.policy_number is not None


def rupees(amount: int) -> str:
    whole, paise = divmod(amount, 100)
    digits = str(whole)
    # Indian grouping: the last three digits, then pairs (12,34,567).
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail]) if groups else tail
    return f"Rs. {grouped}.{paise:02d}"


def render_pdf(runtime: StoreRuntime, policy: Policy, plan: PolicyPlan) -> bytes:
    config = runtime.config
    # kit/pdf's document: Noto Sans, so a farmer's or village's name prints as written.
    pdf = document(f"Policy certificate {policy.policy_number}", config.name)
    pdf.set_font("helvetica", "B", 18)
    pdf.cell(0, 10, text(config.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    if config.contact_email:
        pdf.cell(0, 5, text(config.contact_email), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(0, 9, "Certificate of cattle insurance", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.cell(0, 6, text(f"Policy number: {policy.policy_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = [
        ("Plan", plan.name),
        ("Insured", f"{policy.owner_name}, {policy.owner_phone}"),
        (
            "Address",
            f"{policy.owner_address}, {policy.owner_city}, {policy.owner_state} "
            f"{policy.owner_pincode}",
        ),
        ("Animal", f"{policy.cattle_type.title()}, {policy.breed}, {policy.gender}"),
        ("Ear tag", policy.ear_tag),
        ("Age", f"{policy.age} years"),
        ("Coverage", rupees(policy.coverage_minor)),
        ("Premium paid", rupees(policy.premium_minor)),
        (
            "Period",
            f"{policy.start_date:%d %b %Y} to {policy.end_date:%d %b %Y} (both days included)",
        ),
        ("Disease cover", f"after {policy.disease_waiting_days} days' waiting period"),
    ]
    if policy.agent_code:
        rows.append(("Agent code", policy.agent_code))
    for label, value in rows:
        pdf.set_font("helvetica", "B", 10)
        pdf.cell(40, 7, text(label))
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(0, 7, text(value), new_x="LMARGIN", new_y="NEXT")
    if plan.features:
        pdf.ln(3)
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(0, 7, "What this plan covers", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 10)
        for feature in plan.features:
            pdf.multi_cell(0, 6, text(f"- {feature}"), new_x="LMARGIN", new_y="NEXT")
    if policy.status != PolicyStatus.APPROVED:
        pdf.ln(4)
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(0, 7, text(f"Status: {policy.status.lower()}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def response(runtime: StoreRuntime, policy: Policy, plan: PolicyPlan) -> Response:
    if not available(policy):
        raise NotFound("This policy has no certificate yet: it is issued at approval.")
    return Response(
        render_pdf(runtime, policy, plan),
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="policy-{policy.policy_number}.pdf"',
            "cache-control": "private, no-store",
        },
    )
