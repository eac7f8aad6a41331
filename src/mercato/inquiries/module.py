"""The inquiries module: buyers' inquiry lists, inquiries to brands with quotes and a
timeline, order confirmations (issue 5, scenario 2). Needs the brands module for who is a
buyer and who acts for a brand."""

from __future__ import annotations

from pathlib import Path

from mercato.inquiries import api, assets, events, pages
from mercato.inquiries.service import INQUIRY_UPDATED
from mercato.platform.modules import Module, lazy_seed

inquiries_module = Module(
    name="inquiries",
    title="Inquiries",
    requires=("brands", "notifications"),
    pages=[pages.router, assets.router],
    api=[api.router],
    event_handlers={INQUIRY_UPDATED: [events.push_inquiry]},
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.inquiries.seed", "seed_inquiries"),
)
