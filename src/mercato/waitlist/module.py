"""The waitlist module: "notify me" requests for sold-out and limited editions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mercato.platform.modules import Module, Schedule
from mercato.waitlist import events, pages, service


async def product_page(db: Any, request: Any, product: Any) -> dict[str, Any]:
    """The notify-me form when sold out, and the per-collector limit of limited editions."""
    inventory = await service.available(db, product.id)
    user = getattr(request.state, "user", None)
    sold_out = inventory <= 0
    return {
        "waitlist_open": sold_out,
        "waitlist_email": user.email if user else "",
        "waitlist_waiting": bool(sold_out and user)
        and await service.has_open_alert(db, product.id, user.email),
        "max_per_customer": product.max_per_customer,
    }


waitlist_module = Module(
    name="waitlist",
    title="Waiting lists",
    requires=("catalog", "inventory"),
    pages=[pages.router],
    event_handlers={events.RESTOCKED: [events.on_restocked]},
    jobs={"sweep": events.sweep},
    schedules=[Schedule(name="waitlist.sweep", cron="*/10 * * * *", job=events.sweep)],
    product_page=product_page,
    template_dir=str(Path(__file__).parent / "templates"),
)
