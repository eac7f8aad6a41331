"""The orders module: orders, their states, emails and invoices."""

from pathlib import Path

from mercato.kit.i18n import N_
from mercato.orders import admin, api, assets, jobs, pages
from mercato.platform.modules import Module, NavItem, Schedule, lazy_seed

orders_module = Module(
    name="orders",
    title="Orders",
    requires=("catalog", "inventory", "pricing"),
    pages=[pages.router, assets.router],
    api=[api.router],
    admin=[admin.router],
    permissions={
        "orders.read": "See orders, their payments and history",
        "orders.write": "Change order status, ship, cancel, refund and add notes",
    },
    default_roles={"staff": ["orders.read", "orders.write"], "admin": ["*"]},
    admin_nav=[NavItem(label=N_("Orders"), path="orders", permission="orders.read", order=20)],
    jobs={"expire_unpaid": jobs.expire_unpaid_orders},
    schedules=[
        Schedule(name="orders.expire_unpaid", cron="* * * * *", job=jobs.expire_unpaid_orders)
    ],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.orders.seed", "seed_orders"),
)
