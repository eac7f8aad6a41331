"""The two parties of inquiries and conversations: a buyer (a user whose boutique is
approved) and a brand (its members act for it). Everything the two modules need to know
about brands comes through here, so the brands module stays the one source of truth."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.brands import access as brand_access
from mercato.kit.errors import PermissionDenied
from mercato.models import User
from mercato.models.brands import Boutique, Brand, BrandMember

NOT_APPROVED = (
    "Only approved boutique buyers can send inquiries and messages. "
    "Your boutique is not approved yet."
)

brand_ids_for_user = brand_access.brand_ids_for_user
brand_of_product = brand_access.brand_of_product


async def require_approved_buyer(db: AsyncSession, user_id: int) -> None:
    """Checked on every send: a boutique rejected later loses the right at once."""
    if not await brand_access.is_approved_buyer(db, user_id):
        raise PermissionDenied(NOT_APPROVED, field="buyer", code="buyer_not_approved")


async def is_approved_buyer(db: AsyncSession, user_id: int) -> bool:
    return await brand_access.is_approved_buyer(db, user_id)


async def member_user_ids(db: AsyncSession, brand_id: int) -> list[int]:
    rows = await db.scalars(
        select(BrandMember.user_id)
        .where(BrandMember.brand_id == brand_id)
        .order_by(BrandMember.user_id)
    )
    return list(rows)


async def member_emails(db: AsyncSession, brand_id: int) -> list[tuple[int, str, str]]:
    """(user id, email, name) of the brand's members who can receive email."""
    rows = await db.execute(
        select(User.id, User.email, User.name)
        .join(BrandMember, BrandMember.user_id == User.id)
        .where(BrandMember.brand_id == brand_id, User.deleted_at.is_(None))
        .order_by(User.id)
    )
    return [(i, e, n) for i, e, n in rows.all()]


async def brands_by_id(db: AsyncSession, ids: set[int]) -> dict[int, Brand]:
    if not ids:
        return {}
    return {b.id: b for b in await db.scalars(select(Brand).where(Brand.id.in_(ids)))}


async def users_by_id(db: AsyncSession, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in await db.scalars(select(User).where(User.id.in_(ids)))}


async def boutiques_by_user(db: AsyncSession, ids: set[int]) -> dict[int, Boutique]:
    if not ids:
        return {}
    rows = await db.scalars(select(Boutique).where(Boutique.user_id.in_(ids)))
    return {b.user_id: b for b in rows}


@dataclass(frozen=True)
class Who:
    """Who is asking: a user, the brands they act for (maybe none)."""

    user: User
    brand_ids: tuple[int, ...]

    @property
    def is_brand(self) -> bool:
        return bool(self.brand_ids)


async def who(db: AsyncSession, user: User) -> Who:
    return Who(user, tuple(await brand_access.brand_ids_for_user(db, user.id)))


async def dashboard_brand(
    db: AsyncSession, who: Who, requested: str | int | None
) -> tuple[Brand, list[Brand]]:
    """The brand a dashboard page shows (``?brand=`` among the user's brands, else the
    first) and all the user's brands, for the brand dashboard's frame and switcher."""
    brands = await brands_by_id(db, set(who.brand_ids))
    mine = [brands[i] for i in who.brand_ids if i in brands]
    try:
        wanted = int(str(requested)) if requested not in (None, "") else None
    except ValueError:
        wanted = None
    chosen = next((b for b in mine if b.id == wanted), mine[0])
    return chosen, mine
