"""Notification pages under /<slug>/notifications (signed-in users only)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from mercato.identity.deps import CurrentUser
from mercato.kit.i18n import _
from mercato.platform import notifications
from mercato.web.deps import Db
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()


@router.get("/notifications")
async def notification_list(
    request: Request, user: CurrentUser, db: Db, page: int = Query(1, ge=1, le=100_000)
) -> Response:
    listing = await notifications.list_for_user(db, user.id, page)
    return render(request, "notifications/list.html", {"listing": listing})


@router.post("/notifications/read-all")
async def read_all(request: Request, user: CurrentUser, db: Db) -> Response:
    changed = await notifications.mark_read(db, user.id, "all")
    message = _("All notifications are marked as read.") if changed else ""
    return redirect(request, "notifications", message)


@router.post("/notifications/{notification_id}/read")
async def read_one(request: Request, notification_id: int, user: CurrentUser, db: Db) -> Response:
    """Mark one read and open its link. Another user's id behaves like a missing one."""
    row = await notifications.get_for_user(db, user.id, notification_id)
    if row is None:
        return redirect(request, "notifications", _("That notification is no longer here."), "info")
    await notifications.mark_read(db, user.id, [row.id])
    # Links are checked when stored; checked again so an old row can never leave the site.
    if row.link and notifications.is_local_link(row.link):
        return RedirectResponse(row.link, status_code=303)
    return redirect(request, "notifications")
