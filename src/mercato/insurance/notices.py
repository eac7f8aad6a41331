"""Telling people: in-app notifications and emails for policies and claims, all through the
outbox so a rolled-back change tells nobody."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from mercato.models.identity import Role, UserRole
from mercato.platform import notifications
from mercato.platform.email import Attachment, queue_email

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.runtime import StoreRuntime


async def staff_ids(db: AsyncSession) -> list[int]:
    return list(
        await db.scalars(
            select(UserRole.user_id)
            .join(Role, Role.id == UserRole.role_id)
            .where(Role.is_staff.is_(True))
            .distinct()
            .order_by(UserRole.user_id)
        )
    )


async def notify_staff(
    db: AsyncSession, runtime: StoreRuntime, title: str, body: str, link: str, kind: str = "info"
) -> None:
    for user_id in await staff_ids(db):
        await notifications.notify(
            db, user_id=user_id, title=title, body=body, link=runtime.path(link), kind=kind
        )


async def notify_user(
    db: AsyncSession,
    runtime: StoreRuntime,
    user_id: int | None,
    title: str,
    body: str,
    link: str,
    kind: str = "info",
) -> None:
    if user_id:
        await notifications.notify(
            db, user_id=user_id, title=title, body=body, link=runtime.path(link), kind=kind
        )


async def email(
    db: AsyncSession,
    runtime: StoreRuntime,
    *,
    to: str,
    name: str,
    subject: str,
    paragraphs: list[str],
    link: str,
    link_label: str,
    attachments: Sequence[Attachment] = (),
) -> None:
    """One plain message: a greeting, a few paragraphs and a link into the store."""
    if not to:
        return
    await queue_email(
        db,
        runtime,
        to=to,
        subject=subject,
        template="emails/insurance_notice",
        context={
            "name": name,
            "paragraphs": paragraphs,
            "link": runtime.absolute_url(link),
            "link_label": link_label,
        },
        attachments=attachments,
    )
