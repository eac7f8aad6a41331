"""Admin: reported messages (dismiss, or block the sender) and messaging blocks. A blocked
user can still sign in and browse but cannot send messages. Every change is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from mercato.admin.pages import admin_render
from mercato.conversations import service as conversation_service
from mercato.identity.deps import require_permission
from mercato.models import User
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash

MODERATE = "conversations.moderate"

router = APIRouter(prefix="/messaging")
Moderator = Annotated[User, Depends(require_permission(MODERATE))]


def _back(request: Request, runtime, message: str, kind: str = "success") -> Response:
    response = RedirectResponse(runtime.path("admin/messaging"), status_code=303)
    flash(request, response, message, kind)
    return response


@router.get("")
async def moderation(request: Request, db: Db, _: Moderator) -> Response:
    reports = await conversation_service.open_reports(db)
    blocks = await conversation_service.blocks(db)
    ids = {r.reporter_id for r, _ in reports} | {m.sender_id for _, m in reports if m.sender_id}
    ids |= {b.user_id for b in blocks}
    users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return admin_render(
        request,
        "conversations/admin.html",
        {"reports": reports, "blocks": blocks, "users": users},
        section="messaging",
    )


@router.post("/block")
async def block(request: Request, db: Db, runtime: Runtime, actor: Moderator) -> Response:
    form = await request.form()
    try:
        user_id = int(str(form.get("user_id", "")))
    except ValueError:
        return _back(request, runtime, "Choose a user to block.", "error")
    row = await conversation_service.block(
        db, user_id, by=actor, reason=str(form.get("reason") or "")
    )
    report_id = str(form.get("report_id") or "")
    if report_id.isdigit():
        await conversation_service.close_report(db, int(report_id), "actioned")
    await audit.record(
        db,
        actor=actor,
        action="messaging.block",
        entity_type="user",
        entity_id=user_id,
        after={"reason": row.reason},
        request=request,
    )
    return _back(request, runtime, "The user can no longer send messages.")


@router.post("/unblock")
async def unblock(request: Request, db: Db, runtime: Runtime, actor: Moderator) -> Response:
    form = await request.form()
    try:
        user_id = int(str(form.get("user_id", "")))
    except ValueError:
        return _back(request, runtime, "Choose a user to unblock.", "error")
    await conversation_service.unblock(db, user_id)
    await audit.record(
        db,
        actor=actor,
        action="messaging.unblock",
        entity_type="user",
        entity_id=user_id,
        request=request,
    )
    return _back(request, runtime, "The user can send messages again.")


@router.post("/reports/{report_id}/dismiss")
async def dismiss(
    report_id: int, request: Request, db: Db, runtime: Runtime, actor: Moderator
) -> Response:
    await conversation_service.close_report(db, report_id, "dismissed")
    await audit.record(
        db,
        actor=actor,
        action="messaging.report.dismiss",
        entity_type="message_report",
        entity_id=report_id,
        request=request,
    )
    return _back(request, runtime, "Report dismissed.", "info")
