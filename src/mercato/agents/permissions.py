"""Permission strings of the agent network (held by roles; see module.py)."""

from __future__ import annotations

SELF = "agents.self"  # an approved agent: its own dashboard, team, wallet, withdrawals
MANAGE = "agents.manage"  # staff: approve/reject agents, see the tree
KYC_READ = "agents.kyc.read"  # the one unmasked KYC view (audited)
COMMISSIONS = "agents.commissions.manage"  # approve commissions
SETTINGS = "agents.settings.write"  # commission rates, minimum withdrawal
WITHDRAWALS = "agents.withdrawals.manage"  # approve/reject payouts

AGENT_PERMISSIONS = (SELF,)

DESCRIPTIONS = {
    SELF: "Use the agent dashboard and agent API for one's own agent account",
    MANAGE: "See agents and approve or reject applications",
    KYC_READ: "Read an agent's unmasked KYC details (every view is audited)",
    COMMISSIONS: "Approve agent commissions",
    SETTINGS: "Change commission rates and the minimum withdrawal",
    WITHDRAWALS: "Approve or reject agent withdrawals",
}
