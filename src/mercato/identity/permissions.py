"""Roles and permission strings of one store (DESIGN.md §5)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.models import Role, UserRole

SUPERUSER = "*"  # the admin role holds every permission, including ones added later


async def permissions_of(db: AsyncSession, user_id: int) -> frozenset[str]:
    rows = await db.scalars(
        select(Role.permissions)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user_id)
    )
    perms: set[str] = set()
    for role_perms in rows:
        perms.update(role_perms or [])
    return frozenset(perms)


def has_permission(perms: frozenset[str], permission: str) -> bool:
    return SUPERUSER in perms or permission in perms
