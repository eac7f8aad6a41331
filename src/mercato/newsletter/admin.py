"""Admin: subscribers with a status filter and counts, and the CSV export of active
subscribers (permission newsletter.read; every export writes an audit row)."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.pagination import page_number
from mercato.models import User
from mercato.newsletter import service
from mercato.platform import audit
from mercato.web.deps import Db

router = APIRouter(prefix="/newsletter")
Reader = Annotated[User, Depends(require_permission("newsletter.read"))]


@router.get("")
async def subscriber_list(request: Request, db: Db, _: Reader) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in service.STATUSES else ""
    page = await service.list_subscribers(
        db, status or None, page_number(request.query_params.get("page"))
    )
    return admin_render(
        request,
        "admin/newsletter.html",
        {
            "page": page,
            "status": status,
            "statuses": service.STATUSES,
            "counts": await service.counts(db),
            "topics": service.TOPICS,
        },
        section="newsletter",
    )


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get("/export.csv")
async def export_active(request: Request, db: Db, actor: Reader) -> Response:
    rows = await service.active_subscribers(db)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "source", *service.TOPICS, "confirmed_at"])
    for sub in rows:
        prefs = sub.preferences or {}
        writer.writerow(
            [
                _cell(sub.email),
                _cell(sub.name),
                _cell(sub.source),
                *("yes" if prefs.get(k) else "no" for k in service.TOPICS),
                sub.confirmed_at.isoformat() if sub.confirmed_at else "",
            ]
        )
    await audit.record(
        db,
        actor=actor,
        action="newsletter.export",
        entity_type="newsletter",
        after={"rows": len(rows), "status": "active"},
        request=request,
    )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="newsletter-active.csv"',
            "Cache-Control": "no-store",
        },
    )
