"""Notifications in the JSON API, for the signed-in user of an access token.

API keys (integrations) get 403: notifications are a person's inbox, not integration data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from mercato.identity.api_deps import ApiPrincipal, Principal
from mercato.kit.errors import NotFound, PermissionDenied, ValidationFailed
from mercato.platform import notifications
from mercato.web.deps import Db

router = APIRouter(prefix="/notifications", tags=["notifications"])


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationListOut(BaseModel):
    items: list[NotificationOut]
    page: int
    pages: int
    total: int
    unread: int


class MarkReadIn(BaseModel):
    ids: list[int] | Literal["all"] = Field(
        description='Ids of your notifications to mark read, or "all".',
        examples=[[12, 13], "all"],
    )


class MarkReadOut(BaseModel):
    marked: int
    unread: int


def _person(principal: ApiPrincipal) -> int:
    if principal.via != "token":
        raise PermissionDenied("Notifications are read with a user's access token.")
    return principal.user.id


@router.get("", response_model=NotificationListOut)
async def list_notifications(
    principal: Principal, db: Db, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> NotificationListOut:
    user_id = _person(principal)
    listing = await notifications.list_for_user(db, user_id, page)
    return NotificationListOut(
        items=[NotificationOut.model_validate(n, from_attributes=True) for n in listing.items],
        page=listing.page,
        pages=listing.pages,
        total=listing.total,
        unread=await notifications.unread_count(db, user_id),
    )


@router.post("/read", response_model=MarkReadOut)
async def mark_read(body: MarkReadIn, principal: Principal, db: Db) -> MarkReadOut:
    """Ids that are not yours are ignored (they change nothing and reveal nothing)."""
    user_id = _person(principal)
    if isinstance(body.ids, list) and len(body.ids) > 500:
        raise ValidationFailed("Mark at most 500 notifications at once.", field="ids")
    marked = await notifications.mark_read(db, user_id, body.ids)
    return MarkReadOut(marked=marked, unread=await notifications.unread_count(db, user_id))


NotificationId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.patch("/{notification_id}/read", response_model=NotificationOut)
async def mark_one_read(
    notification_id: NotificationId, principal: Principal, db: Db
) -> NotificationOut:
    """Another user's notification answers 404, like a missing one."""
    user_id = _person(principal)
    row = await notifications.get_for_user(db, user_id, notification_id)
    if row is None:
        raise NotFound("We could not find that notification.")
    await notifications.mark_read(db, user_id, [row.id])
    await db.refresh(row)
    return NotificationOut.model_validate(row, from_attributes=True)


@router.delete("/{notification_id}", status_code=204)
async def delete_notification(notification_id: NotificationId, principal: Principal, db: Db):
    if not await notifications.delete_for_user(db, _person(principal), notification_id):
        raise NotFound("We could not find that notification.")
    return Response(status_code=204)


class BroadcastIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=2000)
    link: str = Field(default="", max_length=500, description="A path inside the store.")
    role: str | None = Field(
        default=None, max_length=50, description="Only users with this role; all when empty."
    )


class BroadcastOut(BaseModel):
    sent: int


@router.post("/broadcast", response_model=BroadcastOut, status_code=201)
async def broadcast(body: BroadcastIn, principal: Principal, db: Db) -> BroadcastOut:
    """Send one notification to every user, or to the holders of one role (admins)."""
    if not principal.can("notifications.broadcast"):
        raise PermissionDenied("You may not broadcast notifications.")
    sent = await notifications.broadcast(
        db, title=body.title, body=body.body, link=body.link, role=body.role or None
    )
    return BroadcastOut(sent=sent)
