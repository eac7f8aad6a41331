"""The address book: a customer's saved addresses, one default per kind.

Every lookup carries the owner's user id in its WHERE clause: another customer's address is
"not found", never "forbidden", so ids reveal nothing. Deleting is a soft delete (orders keep
their own snapshot, DESIGN.md §4).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.customers.schemas import AddressIn
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import Address
from mercato.models.commerce import AddressKind

KINDS = frozenset(k.value for k in AddressKind)
MAX_ADDRESSES = 50  # a generous cap, so a script cannot grow one account without bound


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationFailed("Choose shipping or billing.", field="kind")
    return kind


async def list_addresses(db: AsyncSession, user_id: int, kind: str | None = None) -> list[Address]:
    """The customer's live addresses, defaults first, then newest first."""
    query = select(Address).where(Address.user_id == user_id, Address.deleted_at.is_(None))
    if kind is not None:
        query = query.where(Address.kind == _kind(kind))
    query = query.order_by(Address.is_default.desc(), Address.id.desc())
    return list(await db.scalars(query))


async def get_address(db: AsyncSession, user_id: int, address_id: int) -> Address:
    """One live address of this customer; NotFound for a missing, deleted or foreign id."""
    address = await db.scalar(
        select(Address).where(
            Address.id == address_id,
            Address.user_id == user_id,
            Address.deleted_at.is_(None),
        )
    )
    if address is None:
        raise NotFound("There is no such address in your address book.")
    return address


async def default_address(db: AsyncSession, user_id: int, kind: str) -> Address | None:
    return await db.scalar(
        select(Address).where(
            Address.user_id == user_id,
            Address.kind == _kind(kind),
            Address.is_default.is_(True),
            Address.deleted_at.is_(None),
        )
    )


async def _clear_defaults(db: AsyncSession, user_id: int, kind: str, keep_id: int | None) -> None:
    # One UPDATE rather than a loop: also repairs a state where two defaults slipped in.
    query = update(Address).where(
        Address.user_id == user_id, Address.kind == kind, Address.is_default.is_(True)
    )
    if keep_id is not None:
        query = query.where(Address.id != keep_id)
    await db.execute(query.values(is_default=False).execution_options(synchronize_session="fetch"))


async def create_address(
    db: AsyncSession,
    user_id: int,
    data: AddressIn,
    *,
    make_default: bool = False,
    kind: str = AddressKind.SHIPPING.value,
) -> Address:
    """Save a new address. The first address of a kind becomes its default."""
    kind = _kind(kind)
    existing = await list_addresses(db, user_id)
    if len(existing) >= MAX_ADDRESSES:
        raise ValidationFailed(
            f"An address book holds at most {MAX_ADDRESSES} addresses; delete one first.",
            field="__all__",
        )
    first_of_kind = not any(a.kind == kind for a in existing)
    address = Address(user_id=user_id, kind=kind, **data.model_dump())
    address.is_default = make_default or first_of_kind
    db.add(address)
    await db.flush()
    if address.is_default:
        await _clear_defaults(db, user_id, kind, keep_id=address.id)
    return address


async def update_address(
    db: AsyncSession,
    user_id: int,
    address_id: int,
    data: AddressIn,
    *,
    kind: str | None = None,
    make_default: bool = False,
) -> Address:
    address = await get_address(db, user_id, address_id)
    new_kind = _kind(kind) if kind is not None else address.kind
    for field, value in data.model_dump().items():
        setattr(address, field, value)
    if new_kind != address.kind:
        # A default does not travel to the other kind, where another default may exist.
        address.kind = new_kind
        address.is_default = False
    await db.flush()
    if make_default:
        await set_default(db, user_id, address.id)
    return address


async def set_default(db: AsyncSession, user_id: int, address_id: int) -> Address:
    """Make this address the default of its kind; the previous default stops being one."""
    address = await get_address(db, user_id, address_id)
    await _clear_defaults(db, user_id, address.kind, keep_id=address.id)
    address.is_default = True
    await db.flush()
    return address


async def delete_address(db: AsyncSession, user_id: int, address_id: int) -> None:
    """Soft delete. If it was the default, the newest remaining address of its kind takes over."""
    address = await get_address(db, user_id, address_id)
    was_default, kind = address.is_default, address.kind
    address.deleted_at = utcnow()
    address.is_default = False
    await db.flush()
    if was_default:
        successor = await db.scalar(
            select(Address)
            .where(Address.user_id == user_id, Address.kind == kind, Address.deleted_at.is_(None))
            .order_by(Address.id.desc())
            .limit(1)
        )
        if successor is not None:
            successor.is_default = True
            await db.flush()
