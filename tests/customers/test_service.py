"""Address book rules: ownership, one default per kind, soft delete."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mercato.customers import service
from mercato.customers.schemas import AddressIn
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models import Address


def address(**overrides) -> AddressIn:
    data = dict(
        first_name="Clara",
        last_name="Whitfield",
        line1="12 Rue des Lilas",
        city="Grasse",
        postal_code="06130",
        country="fr",
    )
    data.update(overrides)
    return AddressIn(**data)


async def test_first_address_of_a_kind_becomes_default(db, make_user):
    user = await make_user()
    first = await service.create_address(db, user.id, address())
    second = await service.create_address(db, user.id, address(city="Nice"))
    billing = await service.create_address(db, user.id, address(), kind="billing")
    assert first.is_default and not second.is_default and billing.is_default
    assert first.country == "FR"


async def test_one_default_per_kind(db, make_user):
    user = await make_user()
    a = await service.create_address(db, user.id, address())
    b = await service.create_address(db, user.id, address(city="Nice"), make_default=True)
    c = await service.create_address(db, user.id, address(), kind="billing")
    await db.refresh(a)
    assert b.is_default and not a.is_default and c.is_default
    await service.set_default(db, user.id, a.id)
    await db.refresh(b)
    await db.refresh(c)
    assert a.is_default and not b.is_default and c.is_default  # billing untouched


async def test_another_customers_address_is_not_found(db, make_user):
    owner = await make_user("owner@example.com")
    intruder = await make_user("intruder@example.com")
    mine = await service.create_address(db, owner.id, address())
    with pytest.raises(NotFound):
        await service.get_address(db, intruder.id, mine.id)
    with pytest.raises(NotFound):
        await service.update_address(db, intruder.id, mine.id, address(city="Evil"))
    with pytest.raises(NotFound):
        await service.delete_address(db, intruder.id, mine.id)
    with pytest.raises(NotFound):
        await service.set_default(db, intruder.id, mine.id)
    await db.refresh(mine)
    assert mine.city == "Grasse" and mine.deleted_at is None
    assert await service.list_addresses(db, intruder.id) == []


async def test_delete_is_soft_and_default_passes_on(db, make_user):
    user = await make_user()
    a = await service.create_address(db, user.id, address())
    b = await service.create_address(db, user.id, address(city="Nice"), make_default=True)
    await service.delete_address(db, user.id, b.id)
    row = await db.scalar(select(Address).where(Address.id == b.id))
    assert row is not None and row.deleted_at is not None  # kept for history
    await db.refresh(a)
    assert a.is_default
    assert [x.id for x in await service.list_addresses(db, user.id)] == [a.id]
    with pytest.raises(NotFound):
        await service.get_address(db, user.id, b.id)


async def test_unknown_kind_refused(db, make_user):
    user = await make_user()
    with pytest.raises(ValidationFailed):
        await service.create_address(db, user.id, address(), kind="pickup")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["add", "default", "delete"]),
            st.integers(0, 5),
            st.sampled_from(["shipping", "billing"]),
        ),
        max_size=12,
    )
)
async def test_never_more_than_one_default_per_kind(db, make_user, ops):
    user = await make_user(f"prop{abs(hash(tuple(ops))) % 10**9}@example.com")
    ids: list[int] = []
    for op, index, kind in ops:
        if op == "add" or not ids:
            ids.append((await service.create_address(db, user.id, address(), kind=kind)).id)
        elif op == "default":
            with contextlib.suppress(NotFound):
                await service.set_default(db, user.id, ids[index % len(ids)])
        else:
            with contextlib.suppress(NotFound):
                await service.delete_address(db, user.id, ids[index % len(ids)])
    for kind in ("shipping", "billing"):
        live = await service.list_addresses(db, user.id, kind)
        defaults = [a for a in live if a.is_default]
        assert len(defaults) == (1 if live else 0)
