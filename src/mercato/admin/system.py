"""Admin pages for the platform: audit log, email outbox, jobs and store settings."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from mercato.admin import service, settings_service
from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.pagination import page_number
from mercato.models import User
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter()

AuditReader = Annotated[User, Depends(require_permission("platform.audit.read"))]
EmailReader = Annotated[User, Depends(require_permission("platform.email.read"))]
JobsWriter = Annotated[User, Depends(require_permission("platform.jobs.write"))]
SettingsWriter = Annotated[User, Depends(require_permission("platform.settings.write"))]

# An email's HTML is untrusted as far as the admin page is concerned (it may quote what a
# customer typed). It is served on its own, in a sandboxed frame, and may load nothing.
EMAIL_HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)
LINK = re.compile(r"https?://[^\s<>\"')\]]+")


# --- audit log -----------------------------------------------------------------------------


@router.get("/audit")
async def audit_log(request: Request, db: Db, _: AuditReader) -> Response:
    filters = service.AuditFilters.from_query(request.query_params)
    page = await service.list_audit(db, filters, page_number(request.query_params.get("page")))
    rows = [(entry, service.diff(entry.before, entry.after)) for entry in page.items]
    return admin_render(
        request,
        "admin/audit.html",
        {"page": page, "rows": rows, "filters": filters},
        section="audit",
    )


# --- email outbox --------------------------------------------------------------------------


@router.get("/emails")
async def email_list(request: Request, db: Db, _: EmailReader) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in service.EMAIL_STATUSES else ""
    to = (request.query_params.get("to") or "").strip()[:254]
    page = await service.list_emails(
        db, status=status, to=to, page=page_number(request.query_params.get("page"))
    )
    return admin_render(
        request,
        "admin/emails.html",
        {"page": page, "status": status, "to": to, "statuses": service.EMAIL_STATUSES},
        section="emails",
    )


@router.get("/emails/{email_id:int}")
async def email_detail(request: Request, db: Db, email_id: int, _: EmailReader) -> Response:
    message = await service.get_email(db, email_id)
    # Links listed separately so they can be followed (and read by the browser tests).
    links = list(dict.fromkeys(LINK.findall(message.text_body or "")))
    return admin_render(
        request,
        "admin/email.html",
        {"message": message, "links": links},
        section="emails",
    )


@router.get("/emails/{email_id:int}/html")
async def email_html(request: Request, db: Db, email_id: int, _: EmailReader) -> Response:
    message = await service.get_email(db, email_id)
    # Set here, these headers replace the store's defaults (the middleware only adds
    # headers a response does not already have): framing by our own admin page only.
    return HTMLResponse(
        message.html_body or "<p>This email has no HTML part.</p>",
        headers={
            "content-security-policy": EMAIL_HTML_CSP,
            "x-frame-options": "SAMEORIGIN",
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        },
    )


# --- jobs ----------------------------------------------------------------------------------


@router.get("/jobs")
async def jobs(request: Request, db: Db, _: JobsWriter) -> Response:
    return admin_render(
        request,
        "admin/jobs.html",
        {
            "dead": await service.dead_events(db),
            "pending": await service.pending_count(db),
            "runs": await service.recent_runs(db),
        },
        section="jobs",
    )


@router.post("/jobs/{event_id:int}/retry")
async def job_retry(request: Request, db: Db, event_id: int, actor: JobsWriter) -> Response:
    event = await service.retry_dead_event(db, event_id)
    await audit.record(
        db,
        actor=actor,
        action="job.retry",
        entity_type="outbox_event",
        entity_id=event.id,
        before={"status": "dead"},
        after={"status": event.status, "attempts": event.attempts},
        request=request,
    )
    return redirect(request, "admin/jobs", f"Job #{event.id} ({event.event_type}) is queued again.")


# --- settings ------------------------------------------------------------------------------


@router.get("/settings")
async def settings_form(request: Request, db: Db, runtime: Runtime, _: SettingsWriter) -> Response:
    values = await settings_service.store_settings(db, runtime.config)
    return admin_render(
        request,
        "admin/settings.html",
        {"values": values, "errors": {}, "fields": settings_service.FIELDS},
        section="settings",
    )


@router.post("/settings")
async def settings_save(
    request: Request, db: Db, runtime: Runtime, actor: SettingsWriter
) -> Response:
    form = await request.form()
    values, errors = settings_service.clean(dict(form))
    if errors:
        return admin_render(
            request,
            "admin/settings.html",
            {"values": values, "errors": errors, "fields": settings_service.FIELDS},
            section="settings",
            status_code=422,
        )
    before, after = await settings_service.save(db, runtime.config, values)
    if not after:
        return redirect(request, "admin/settings", "Nothing changed.", "info")
    await audit.record(
        db,
        actor=actor,
        action="settings.update",
        entity_type="store_settings",
        entity_id=runtime.slug,
        before=before,
        after=after,
        request=request,
    )
    return redirect(request, "admin/settings", "Settings saved.")
