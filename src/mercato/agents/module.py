"""The agent network module: agents in a tree, multi-level commissions, wallets and payouts.

Store-independent: a store switches it on with ``modules = [..., "agents"]`` and its own
modules record sales through ``mercato.agents.service``."""

from __future__ import annotations

from mercato.agents import permissions as perms
from mercato.platform.modules import Module

agents_module = Module(
    name="agents",
    title="Agent network",
    requires=("notifications",),
    permissions=dict(perms.DESCRIPTIONS),
    default_roles={
        "agent": list(perms.AGENT_PERMISSIONS),
        "staff": [perms.MANAGE, perms.COMMISSIONS, perms.WITHDRAWALS],
        "admin": ["*"],
    },
)
