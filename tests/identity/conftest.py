"""Fixtures for identity tests: roles and users created inside the test's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from mercato.models import EmailMessage, User
from mercato.platform.seeding import ensure_user, sync_roles

PASSWORD = "Copper-Kettle-Meadow-77"
NEW_PASSWORD = "Saffron-Lantern-Orchard-19"

MakeUser = Callable[..., Awaitable[User]]


@pytest.fixture
async def roles(db, runtime):
    return await sync_roles(db, runtime.modules)


@pytest.fixture
def make_user(db, roles) -> MakeUser:
    async def make(email: str = "ada@example.com", *, role_names=("customer",), name="Ada") -> User:
        user, _ = await ensure_user(
            db, roles, email=email, password=PASSWORD, name=name, role_names=list(role_names)
        )
        await db.flush()
        return user

    return make


async def last_email(db, to: str) -> EmailMessage:
    db.expire_all()
    message = await db.scalar(
        select(EmailMessage)
        .where(EmailMessage.to_address == to)
        .order_by(EmailMessage.id.desc())
        .limit(1)
    )
    assert message is not None, f"no email to {to}"
    return message


def link_token(message: EmailMessage) -> str:
    import re

    match = re.search(r"token=([A-Za-z0-9_\-]+)", message.text_body)
    assert match, message.text_body
    return match.group(1)
