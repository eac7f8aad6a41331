"""Page dependencies the admin module contributes to every storefront page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.admin.settings_service import store_settings
from mercato.web.deps import get_db
from mercato.web.templating import add_template_context


async def load_store_settings(
    request: Request, db: Annotated[AsyncSession, Depends(get_db)]
) -> None:
    """Settings saved in the admin (display name, tagline, banner) win over store.toml on
    every page; one indexed query on a table of a handful of rows."""
    settings = await store_settings(db, request.state.runtime.config)
    add_template_context(request, site=settings, announcement=settings["announcement"])
