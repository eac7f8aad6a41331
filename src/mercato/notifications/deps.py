"""The unread badge on every page: one COUNT on the (user_id, read_at) index."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity.deps import load_web_user
from mercato.models import User
from mercato.platform import notifications
from mercato.web.deps import get_db
from mercato.web.templating import add_template_context


async def load_unread_count(
    request: Request,
    user: Annotated[User | None, Depends(load_web_user)],  # cached: no second session query
    db: Annotated[AsyncSession, Depends(get_db)],
) -> int | None:
    """Registered as a page dependency of the notifications module, so base.html can show
    the badge on any page without each route knowing about notifications."""
    if user is None:
        return None
    count = await notifications.unread_count(db, user.id)
    add_template_context(request, unread_count=count)
    return count
