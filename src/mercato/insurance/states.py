"""The policy and claim state machines: a table of allowed (from, to) moves, so every path
(service, admin buttons, API) checks the same thing."""

from __future__ import annotations

from mercato.kit.errors import Conflict
from mercato.models.insurance import Claim, ClaimStatus, Policy, PolicyStatus

P = PolicyStatus
POLICY_MOVES: dict[str, frozenset[str]] = {
    P.PENDING: frozenset({P.PENDING_APPROVAL, P.CANCELLED}),
    P.PENDING_APPROVAL: frozenset({P.APPROVED, P.REJECTED, P.CANCELLED}),
    P.APPROVED: frozenset({P.EXPIRED, P.CANCELLED}),
    P.REJECTED: frozenset(),
    P.EXPIRED: frozenset(),
    P.CANCELLED: frozenset(),
}

POLICY_LABELS = {
    P.PENDING: "Awaiting payment",
    P.PENDING_APPROVAL: "Awaiting approval",
    P.APPROVED: "Active",
    P.REJECTED: "Rejected",
    P.EXPIRED: "Expired",
    P.CANCELLED: "Cancelled",
}

C = ClaimStatus
CLAIM_MOVES: dict[str, frozenset[str]] = {
    C.PENDING: frozenset({C.UNDER_REVIEW, C.REJECTED}),
    C.UNDER_REVIEW: frozenset({C.APPROVED, C.REJECTED}),
    C.APPROVED: frozenset({C.PAID}),
    C.REJECTED: frozenset(),
    C.PAID: frozenset(),
}

CLAIM_LABELS = {
    C.PENDING: "Received",
    C.UNDER_REVIEW: "Under review",
    C.APPROVED: "Approved",
    C.REJECTED: "Rejected",
    C.PAID: "Paid",
}


def policy_label(status: str) -> str:
    return POLICY_LABELS.get(status, status)  # type: ignore[call-overload]


def claim_label(status: str) -> str:
    return CLAIM_LABELS.get(status, status)  # type: ignore[call-overload]


def move_policy(policy: Policy, to: str) -> None:
    if to not in POLICY_MOVES.get(policy.status, frozenset()):
        raise Conflict(
            f"A policy that is {policy_label(policy.status).lower()} cannot become "
            f"{policy_label(to).lower()}.",
            field="status",
            code="invalid_transition",
        )
    policy.status = to


def move_claim(claim: Claim, to: str) -> None:
    if to not in CLAIM_MOVES.get(claim.status, frozenset()):
        raise Conflict(
            f"A claim that is {claim_label(claim.status).lower()} cannot become "
            f"{claim_label(to).lower()}.",
            field="status",
            code="invalid_transition",
        )
    claim.status = to
