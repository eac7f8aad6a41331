"""The profit module (seed 002): profit configuration with history, per-product platform %,
the order profit ledger fed by the core's order events, reports with charts and exports,
and the weekly profit report. Permissions are the b2b module's matrix."""

from pathlib import Path

from mercato.b2b import access
from mercato.platform.modules import Module, NavItem, Schedule, lazy_seed
from mercato.profit import admin, api, assets, jobs, pages, service

profit_module = Module(
    name="profit",
    title="Profit sharing",
    requires=("orders", "b2b"),
    pages=[pages.router, assets.router],
    api=[api.router],
    admin=[admin.router],
    admin_nav=[
        NavItem(label="Profit settings", path="profit", permission=access.PROFIT_READ, order=60),
        NavItem(
            label="Profit reports", path="profit/reports", permission=access.REPORTS_ALL, order=61
        ),
    ],
    event_handlers=service.event_handlers(),
    jobs={"weekly_profit_report": jobs.weekly_profit_report},
    schedules=[Schedule("profit.weekly_report", "0 8 * * 1", jobs.weekly_profit_report)],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.profit.seed", "seed_profit"),
)
