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
    """Settings saved in the admin (display name, tagline, contact, banner) win over
    store.toml on every page: templates keep using ``store``, which is the config with the
    saved values laid over it. One query on a table of a handful of rows."""
    config = request.state.runtime.config
    saved = await store_settings(db, config)
    overrides = {
        "name": saved["display_name"] or config.name,
        "tagline": saved["tagline"],
        "contact_email": saved["contact_email"],
    }
    changed = {k: v for k, v in overrides.items() if getattr(config, k) != v}
    store = config.model_copy(update=changed) if changed else config
    add_template_context(request, store=store, site=saved, announcement=saved["announcement"])
