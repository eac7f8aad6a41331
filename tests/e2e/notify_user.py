"""Create an in-app notification for a user of a running e2e server's store.

Used by the live-badge journey: run as a separate process (``python notify_user.py SLUG EMAIL
TITLE``) with the same MERCATO_* environment as the server, it writes the notification and
its outbox event in one transaction; the server's worker then pushes it to open pages.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import select

from mercato.config import get_settings
from mercato.db import Database
from mercato.models import User
from mercato.platform.notifications import notify


async def main(slug: str, email: str, title: str) -> int:
    database = Database(get_settings().database_url_for(slug), pool=False)
    try:
        async with database.transaction() as db:
            user_id = await db.scalar(select(User.id).where(User.email == email.lower()))
            if user_id is None:
                raise SystemExit(f"no user {email!r} in {slug}")
            row = await notify(db, user_id=user_id, title=title, body="Sent by the e2e tests.")
            return row.id
    finally:
        await database.dispose()


if __name__ == "__main__":
    print(asyncio.run(main(*sys.argv[1:4])))
