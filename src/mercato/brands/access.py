"""Who is who in the Qala store, for every module that needs it (the inquiries and
conversations modules call these): which brands a user manages, whether a user is an
approved boutique buyer, and which brand a product belongs to.

Browsing is open; approval of the boutique gates inquiries and messages. Brand dashboards
are scoped by membership: a brand user of another brand gets a 404, never a 403, so brand
ids are not probed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.models.brands import Boutique, BrandMember, BrandProduct

# Permission strings (admin holds "*").
BRANDS_MANAGE = "brands.manage"  # onboard brands, feature them, add brand users
BOUTIQUES_REVIEW = "brands.boutiques.review"  # approve or reject boutique buyers

PERMISSIONS = {
    BRANDS_MANAGE: "Onboard, feature and deactivate designer brands and their users",
    BOUTIQUES_REVIEW: "Approve or reject boutique buyers",
}

# "brand" and "buyer" hold no permission strings: what a brand user may touch is decided by
# membership (brand_members), and what a buyer may do by the boutique's approval.
DEFAULT_ROLES: dict[str, list[str]] = {
    "admin": ["*"],
    "staff": [BOUTIQUES_REVIEW],
    "brand": [],
    "buyer": [],
}


async def brand_ids_for_user(db: AsyncSession, user_id: int) -> list[int]:
    """The brands a user manages (empty for buyers and strangers), smallest id first."""
    rows = await db.scalars(
        select(BrandMember.brand_id)
        .where(BrandMember.user_id == user_id)
        .order_by(BrandMember.brand_id)
    )
    return list(rows)


async def is_brand_member(db: AsyncSession, user_id: int, brand_id: int) -> bool:
    found = await db.scalar(
        select(BrandMember.id).where(
            BrandMember.user_id == user_id, BrandMember.brand_id == brand_id
        )
    )
    return found is not None


async def is_approved_buyer(db: AsyncSession, user_id: int) -> bool:
    """True only while the user's boutique is approved (pending, rejected or no boutique:
    False). Checked on every inquiry and message, so a later rejection takes effect at once."""
    status = await db.scalar(select(Boutique.status).where(Boutique.user_id == user_id))
    return status == "approved"


async def boutique_of_user(db: AsyncSession, user_id: int) -> Boutique | None:
    return await db.scalar(select(Boutique).where(Boutique.user_id == user_id))


async def brand_of_product(db: AsyncSession, product_id: int) -> int | None:
    """The brand id of a catalogue product, or None for a product no brand owns."""
    return await db.scalar(
        select(BrandProduct.brand_id).where(BrandProduct.product_id == product_id)
    )
