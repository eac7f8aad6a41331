"""Admin pages for accounts: search, profile, roles, blocking and sessions.

Reading needs ``identity.user.read``; every change needs ``identity.user.write`` and writes
an audit row. Guards against lock-out and escalation: nobody blocks themselves or drops
their own admin role, and only someone who holds every permission of a role (or of the
target account) may grant, remove or block it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from mercato.admin import service
from mercato.admin.pages import admin_render, permissions
from mercato.identity import service as identity_service
from mercato.identity import sessions
from mercato.identity.deps import require_permission
from mercato.identity.permissions import SUPERUSER, has_permission, permissions_of
from mercato.kit.errors import NotFound, PermissionDenied
from mercato.kit.pagination import page_number
from mercato.models import AuditEntry, User
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/users")

Reader = Annotated[User, Depends(require_permission("identity.user.read"))]
Writer = Annotated[User, Depends(require_permission("identity.user.write"))]
ADMIN_ROLE = "admin"
REASON_MAX = 500


def _can_hand_out(actor_perms: frozenset[str], role_perms: list[str]) -> bool:
    """A role can be granted or removed only by someone holding all it grants."""
    if SUPERUSER in role_perms:
        return SUPERUSER in actor_perms
    return all(has_permission(actor_perms, p) for p in role_perms)


@router.get("")
async def user_list(request: Request, db: Db, _: Reader) -> Response:
    filters = service.UserFilters.from_query(request.query_params)
    page = await service.list_users(db, filters, page_number(request.query_params.get("page")))
    roles = await service.all_roles(db)
    return admin_render(
        request,
        "admin/users.html",
        {"page": page, "filters": filters, "roles": roles},
        section="users",
    )


async def _user_page(
    request: Request,
    db: Any,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    held = await identity_service.role_names_of(db, user.id)
    roles = await service.all_roles(db)
    perms = permissions(request)
    history = list(
        await db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(10)
        )
    )
    return admin_render(
        request,
        "admin/user.html",
        {
            "user": user,
            "held": held,
            "roles": roles,
            "grantable": {r.name for r in roles if _can_hand_out(perms, r.permissions)},
            "sessions": await sessions.list_sessions(db, user.id),
            "history": history,
            "is_self": user.id == request.state.user.id,
            "errors": errors or {},
            "form": form or {},
        },
        section="users",
        status_code=status_code,
    )


@router.get("/{user_id:int}")
async def user_detail(request: Request, db: Db, user_id: int, _: Reader) -> Response:
    user = await service.get_user(db, user_id)
    return await _user_page(request, db, user)


@router.post("/{user_id:int}/roles")
async def user_roles(request: Request, db: Db, user_id: int, actor: Writer) -> Response:
    user = await service.get_user(db, user_id)
    form = await request.form()
    wanted = {str(n) for n in form.getlist("roles")}
    roles = {r.name: r for r in await service.all_roles(db)}
    held = set(await identity_service.role_names_of(db, user.id))
    perms = permissions(request)
    unknown = wanted - set(roles)
    if unknown:
        return await _user_page(
            request,
            db,
            user,
            errors={"roles": "Unknown role: " + ", ".join(sorted(unknown)) + "."},
            status_code=422,
        )
    if user.id == actor.id and ADMIN_ROLE in held and ADMIN_ROLE not in wanted:
        return await _user_page(
            request,
            db,
            user,
            errors={
                "roles": "You cannot remove your own admin role: you would lock yourself out. "
                "Ask another admin to do it."
            },
            status_code=409,
        )
    changed = wanted ^ held
    beyond = sorted(n for n in changed if not _can_hand_out(perms, roles[n].permissions))
    if beyond:
        return await _user_page(
            request,
            db,
            user,
            errors={
                "roles": "You can only grant or remove roles whose permissions you hold yourself: "
                + ", ".join(beyond)
                + "."
            },
            status_code=403,
        )
    if not changed:
        return redirect(request, f"admin/users/{user.id}", "Roles unchanged.", "info")
    after = await identity_service.assign_roles(db, user, sorted(wanted))
    await audit.record(
        db,
        actor=actor,
        action="user.roles",
        entity_type="user",
        entity_id=user.id,
        before={"roles": sorted(held)},
        after={"roles": sorted(after)},
        request=request,
    )
    return redirect(request, f"admin/users/{user.id}", "Roles saved.")


async def _refuse_if_outranked(db: Any, request: Request, target: User) -> None:
    """Blocking someone who holds every permission needs every permission too."""
    if SUPERUSER not in permissions(request) and SUPERUSER in await permissions_of(db, target.id):
        raise PermissionDenied("Only an administrator can block another administrator.")


@router.post("/{user_id:int}/block")
async def user_block(request: Request, db: Db, user_id: int, actor: Writer) -> Response:
    user = await service.get_user(db, user_id)
    form = await request.form()
    raw_reason = form.get("reason")
    reason = " ".join(str(raw_reason if isinstance(raw_reason, str) else "").split())
    if user.id == actor.id:
        return await _user_page(
            request,
            db,
            user,
            errors={"reason": "You cannot block your own account."},
            form={"reason": reason},
            status_code=409,
        )
    error = ""
    if not reason:
        error = "Give a reason: it is kept in the audit log and shown to other admins."
    elif len(reason) > REASON_MAX:
        error = f"Keep the reason under {REASON_MAX} characters (it has {len(reason)})."
    if error:
        return await _user_page(
            request, db, user, errors={"reason": error}, form={"reason": reason}, status_code=422
        )
    await _refuse_if_outranked(db, request, user)
    before = service.user_snapshot(user)
    await identity_service.block_user(db, user, reason=reason)
    await audit.record(
        db,
        actor=actor,
        action="user.block",
        entity_type="user",
        entity_id=user.id,
        before=before,
        after=service.user_snapshot(user),
        request=request,
    )
    return redirect(
        request, f"admin/users/{user.id}", f"{user.email} is blocked and signed out everywhere."
    )


@router.post("/{user_id:int}/unblock")
async def user_unblock(request: Request, db: Db, user_id: int, actor: Writer) -> Response:
    user = await service.get_user(db, user_id)
    if user.blocked_at is None:
        return redirect(request, f"admin/users/{user.id}", "This account is not blocked.", "info")
    before = service.user_snapshot(user)
    await identity_service.unblock_user(db, user)
    await audit.record(
        db,
        actor=actor,
        action="user.unblock",
        entity_type="user",
        entity_id=user.id,
        before=before,
        after=service.user_snapshot(user),
        request=request,
    )
    return redirect(request, f"admin/users/{user.id}", f"{user.email} can sign in again.")


@router.post("/{user_id:int}/sessions/{session_id:int}/revoke")
async def user_session_revoke(
    request: Request, db: Db, user_id: int, session_id: int, actor: Writer
) -> Response:
    user = await service.get_user(db, user_id)
    # user_id in the WHERE clause: a session id of another account ends nothing.
    if not await sessions.revoke_session(db, session_id, user_id=user.id):
        raise NotFound("No such active session for this user.")
    await audit.record(
        db,
        actor=actor,
        action="user.session.revoke",
        entity_type="user",
        entity_id=user.id,
        before={"session": session_id},
        after={"session": None},
        request=request,
    )
    return redirect(request, f"admin/users/{user.id}", "Session ended.")


@router.post("/{user_id:int}/sessions/revoke-all")
async def user_sessions_revoke_all(
    request: Request, db: Db, user_id: int, actor: Writer
) -> Response:
    user = await service.get_user(db, user_id)
    # Ending your own sessions from here would sign you out mid-page: keep the current one.
    current = getattr(request.state, "web_session", None)
    keep = current.id if current is not None and user.id == actor.id else None
    ended = await sessions.revoke_all_sessions(db, user.id, except_id=keep)
    await audit.record(
        db,
        actor=actor,
        action="user.session.revoke_all",
        entity_type="user",
        entity_id=user.id,
        before={"active_sessions": ended},
        after={"active_sessions": 0},
        request=request,
    )
    noun = "session" if ended == 1 else "sessions"
    return redirect(request, f"admin/users/{user.id}", f"Ended {ended} {noun}.")
