"""Agents, trees and sales for the agent-network tests (cattle-insurance store, INR)."""

from __future__ import annotations

import itertools

from mercato.agents import kyc as kyc_rules
from mercato.agents import service
from mercato.platform.seeding import ensure_user, sync_roles

STORE = "cattle-insurance"
PASSWORD = "Buffalo-Monsoon-Ledger-58"
SECRET = "test-secret-key-that-is-long-enough-0123456789"  # tests/conftest.py TEST_SECRET
_serial = itertools.count(1)


def aadhaar(n: int) -> str:
    body = f"{23456789000 + n:011d}"
    return body + kyc_rules.verhoeff_digit(body)


def sample_kyc(n: int = 1, **changes) -> kyc_rules.Kyc:
    fields = dict(
        pan=f"ABCPE{1000 + n % 9000:04d}F",
        aadhaar=aadhaar(n),
        bank_name="State Bank of India",
        account_number=f"{30012345678 + n}",
        ifsc="SBIN0001234",
    )
    fields.update(changes)
    return kyc_rules.clean(**fields)


def cipher():
    return service.cipher_for(SECRET)


async def make_user(db, runtime, email: str | None = None, *, role_names=("customer",)):
    roles = await sync_roles(db, runtime.modules)
    n = next(_serial)
    user, _ = await ensure_user(
        db,
        roles,
        email=email or f"agent{n}@example.com",
        password=PASSWORD,
        name=f"Agent {n}",
        role_names=list(role_names),
    )
    return user


async def make_agent(db, runtime, *, parent=None, approve=True, email=None):
    user = await make_user(db, runtime, email)
    agent = await service.register_agent(
        db,
        user=user,
        cipher=cipher(),
        currency="INR",
        kyc=sample_kyc(user.id),
        parent_code=parent.code if parent else "",
    )
    if approve:
        await service.approve_agent(db, None, agent.id)
    return agent


async def make_chain(db, runtime, depth: int = 3):
    """Top → ... → seller; returns [seller, parent, grandparent, ...]."""
    chain = []
    parent = None
    for _ in range(depth):
        parent = await make_agent(db, runtime, parent=parent)
        chain.append(parent)
    return list(reversed(chain))
