"""Admin pages for API keys: list, create (the key is shown once), revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity import api_keys
from mercato.identity.deps import require_permission
from mercato.kit.errors import ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import ApiKey, User
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter(prefix="/api-keys")

KeysWriter = Annotated[User, Depends(require_permission("identity.apikey.write"))]


async def _page(
    request: Request,
    db: Any,
    runtime: Any,
    *,
    created: Any = None,
    plain: str = "",
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    keys = await api_keys.list_api_keys(db)
    owner_ids = {k.user_id for k in keys}
    owners: dict[int, str] = {}
    if owner_ids:  # one query for every owner's email, not one per key
        rows = await db.execute(select(User.id, User.email).where(User.id.in_(owner_ids)))
        owners = {user_id: email for user_id, email in rows}
    response = admin_render(
        request,
        "admin/api_keys.html",
        {
            "keys": keys,
            "owners": owners,
            "permissions": sorted(runtime.modules.permissions().items()),
            "created": created,
            "plain": plain,
            "now": utcnow(),
            "errors": errors or {},
            "form": form or {"name": "", "scopes": []},
        },
        section="api-keys",
        status_code=status_code,
    )
    return response


@router.get("")
async def key_list(request: Request, db: Db, runtime: Runtime, _: KeysWriter) -> Response:
    return await _page(request, db, runtime)


@router.post("")
async def key_create(request: Request, db: Db, runtime: Runtime, actor: KeysWriter) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    scopes = [str(s) for s in form.getlist("scopes")]
    offered = set(runtime.modules.permissions())
    foreign = [s for s in scopes if s not in offered]
    try:
        if foreign:
            raise ValidationFailed("Choose permissions from the list.", field="scopes")
        key, plain = await api_keys.create_api_key(db, actor, name=name, scopes=scopes)
    except ValidationFailed as exc:
        return await _page(
            request,
            db,
            runtime,
            errors={exc.field or "name": exc.message},
            form={"name": name, "scopes": scopes},
            status_code=422,
        )
    await audit.record(
        db,
        actor=actor,
        action="apikey.create",
        entity_type="api_key",
        entity_id=key.id,
        before=None,
        after={"name": key.name, "prefix": key.prefix, "scopes": key.scopes},
        request=request,
    )
    # Rendered, not redirected: the plain key exists only in this response.
    return await _page(request, db, runtime, created=key, plain=plain)


@router.post("/{key_id:int}/revoke")
async def key_revoke(request: Request, db: Db, key_id: int, actor: KeysWriter) -> Response:
    existing = await db.get(ApiKey, key_id)
    already = existing is not None and existing.revoked_at is not None
    key = await api_keys.revoke_api_key(db, key_id)  # NotFound for an unknown id
    if already:
        return redirect(
            request, "admin/api-keys", f"The key “{key.name}” was already revoked.", "info"
        )
    await audit.record(
        db,
        actor=actor,
        action="apikey.revoke",
        entity_type="api_key",
        entity_id=key.id,
        before={"revoked": False},
        after={"revoked": True},
        request=request,
    )
    return redirect(request, "admin/api-keys", f"The key “{key.name}” is revoked.")
