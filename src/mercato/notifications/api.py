"""Notifications in the JSON API, for the signed-in user of an access token.

API keys (integrations) get 403: notifications are a person's inbox, not integration data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mercato.identity.api_deps import ApiPrincipal, Principal
from mercato.kit.errors import PermissionDenied, ValidationFailed
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
