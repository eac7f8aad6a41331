"""The bookings module: service types, technicians with skills, hours and days off, the
districts served with travel fees, bookings without double booking, and reminders.

Store-independent: a store switches it on with ``modules = [..., "bookings"]``; its seed
folder may hold services.yaml, technicians.yaml and bookings.yaml."""

from __future__ import annotations

from pathlib import Path

from mercato.bookings import admin, api, assets, jobs, pages
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem, Schedule, lazy_seed

bookings_module = Module(
    name="bookings",
    title="Services and bookings",
    requires=("notifications",),
    pages=[pages.router, assets.router],
    api=[api.router],
    admin=[admin.router],
    permissions={
        "bookings.manage": "See and change every booking; see technicians",
        "bookings.work": "See and progress one's own assigned bookings (technicians)",
    },
    default_roles={
        "technician": ["bookings.work"],
        "staff": ["bookings.manage"],
        "admin": ["*"],
    },
    admin_nav=[
        NavItem(N_("Bookings"), "bookings", "bookings.manage", order=40),
        NavItem(N_("Technicians"), "technicians", "bookings.manage", order=41),
        NavItem(N_("Services and districts"), "services", "bookings.manage", order=42),
    ],
    jobs={"reminders": jobs.booking_reminders},
    # Hourly: a booking confirmed during the day before still gets its reminder, and the
    # conditional update makes each booking's reminder go once.
    schedules=[Schedule("bookings.reminders", "0 * * * *", jobs.booking_reminders)],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.bookings.seed", "seed_bookings"),
)
