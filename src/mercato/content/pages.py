"""Public content pages (/pages/{slug}) and the footer links every page shows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mercato.content import service as content_service
from mercato.site.caching import revalidated
from mercato.web.deps import Db
from mercato.web.templating import add_template_context, render

router = APIRouter()


async def load_footer_pages(request: Request) -> None:
    """Page dependency: the footer's links (published pages marked for the footer)."""
    db = request.state.uow.session
    add_template_context(request, footer_pages=await content_service.footer_pages(db))


@router.get("/pages/{slug}")
async def content_page(request: Request, slug: str, db: Db) -> Response:
    page = await content_service.published_page(db, slug)
    runtime = request.state.runtime
    response = render(
        request,
        "content/page.html",
        {
            "page": page,
            "body_html": content_service.render_markdown(page.body),
            "canonical": runtime.absolute_url(f"pages/{page.slug}"),
        },
    )
    return revalidated(request, response)
