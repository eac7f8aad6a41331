"""The agent network module: agents in a tree, multi-level commissions, wallets and payouts.

Store-independent: a store switches it on with ``modules = [..., "agents"]`` and its own
modules record sales through ``mercato.agents.service``."""

from __future__ import annotations

from pathlib import Path

from mercato.agents import admin, api, assets, pages
from mercato.agents import permissions as perms
from mercato.platform.modules import Module, NavItem, lazy_seed

agents_module = Module(
    name="agents",
    title="Agent network",
    requires=("notifications",),
    pages=[pages.router, assets.router],
    api=[api.router],
    admin=[admin.router],
    admin_nav=[
        NavItem("Agents", "agents", perms.MANAGE, order=70),
        NavItem("Commissions", "agents/commissions", perms.COMMISSIONS, order=71),
        NavItem("Commission settings", "agents/settings", perms.MANAGE, order=72),
        NavItem("Withdrawals", "agents/withdrawals", perms.WITHDRAWALS, order=73),
    ],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.agents.seed", "seed_agents"),
    permissions=dict(perms.DESCRIPTIONS),
    default_roles={
        "agent": list(perms.AGENT_PERMISSIONS),
        "staff": [perms.MANAGE, perms.COMMISSIONS, perms.WITHDRAWALS],
        "admin": ["*"],
    },
)
