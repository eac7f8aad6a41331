"""The agent network: agents in a tree, commission settings, commissions, the wallet ledger
and withdrawals. Reusable by any store; amounts are minor units of the agent's currency.

Money rows are never edited: a cancelled sale writes reversing commission and wallet rows,
and a wallet balance is always the sum of its ledger (nothing stores a balance).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mercato.kit.time import utcnow
from mercato.models.base import Base, BigId, IdMixin, TimestampMixin

AGENT_STATUSES = ("pending", "approved", "rejected", "suspended")
COMMISSION_STATUSES = ("pending", "approved", "reversed")
WITHDRAWAL_STATUSES = ("pending", "approved", "rejected")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Agent(IdMixin, TimestampMixin, Base):
    """One agent (one per user). ``path`` is the materialised path of ids from the root
    ("/3/17/42/"), so a subtree is one LIKE query and the ancestors are in the row itself.

    KYC fields hold AES-GCM ciphertext (kit.security.FieldCipher); the ``*_hint`` columns hold
    the already-masked form shown everywhere except the audited admin KYC view.
    """

    __tablename__ = "agents"
    __table_args__ = (
        CheckConstraint(_in("status", AGENT_STATUSES), name="status_known"),
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_agents_status_created", "status", "created_at"),
        # Subtrees are path LIKE 'prefix%': PostgreSQL needs pattern ops to use the index
        # under a non-C collation.
        Index("ix_agents_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
    )

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT"), unique=True
    )
    code: Mapped[str | None] = mapped_column(String(16), unique=True)  # issued at approval
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(default=1)  # 1 = top of the tree
    path: Mapped[str] = mapped_column(String(1000), default="/")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    currency: Mapped[str] = mapped_column(String(3))
    phone: Mapped[str] = mapped_column(String(32), default="")

    pan_cipher: Mapped[str] = mapped_column(String(200))
    aadhaar_cipher: Mapped[str] = mapped_column(String(200))
    bank_name_cipher: Mapped[str] = mapped_column(String(300))
    account_cipher: Mapped[str] = mapped_column(String(200))
    ifsc_cipher: Mapped[str] = mapped_column(String(200))
    pan_hint: Mapped[str] = mapped_column(String(20))
    aadhaar_hint: Mapped[str] = mapped_column(String(20))
    account_hint: Mapped[str] = mapped_column(String(30))
    ifsc_hint: Mapped[str] = mapped_column(String(20))

    decided_by: Mapped[int | None] = mapped_column(BigId)
    decided_at: Mapped[datetime | None]
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")


class CommissionSetting(IdMixin, Base):
    """A rate for one level in one version of the settings. Saving settings writes a new
    version (all its levels); the newest version is in force and older ones are history."""

    __tablename__ = "agent_commission_settings"
    __table_args__ = (
        UniqueConstraint("version", "level"),
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("rate_bps >= 0 AND rate_bps <= 10000", name="rate_range"),
    )

    version: Mapped[int]
    level: Mapped[int]
    rate_bps: Mapped[int]  # basis points of the sale's base amount (1000 = 10 %)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Commission(IdMixin, Base):
    """A commission earned (kind 'commission') or the reversal of one (kind 'reversal',
    negative amount, pointing at the original with ``reversal_of``)."""

    __tablename__ = "agent_commissions"
    __table_args__ = (
        UniqueConstraint("source_type", "source_id", "level", "kind"),
        CheckConstraint("kind IN ('commission', 'reversal')", name="kind_known"),
        CheckConstraint(
            "(kind = 'commission' AND " + _in("status", COMMISSION_STATUSES) + " AND amount >= 0"
            " AND reversal_of IS NULL) OR (kind = 'reversal' AND status = 'reversed'"
            " AND amount <= 0 AND reversal_of IS NOT NULL)",
            name="kind_status_amount",
        ),
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("rate_bps >= 0 AND rate_bps <= 10000", name="rate_range"),
        Index("ix_agent_commissions_agent_status", "agent_id", "status"),
        Index("ix_agent_commissions_status_created", "status", "created_at"),
        Index("ix_agent_commissions_source", "source_type", "source_id"),
    )

    agent_id: Mapped[int] = mapped_column(BigId, ForeignKey("agents.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10), default="commission")
    level: Mapped[int]  # 1 = the selling agent, 2 = its parent, ...
    source_type: Mapped[str] = mapped_column(String(40))  # "policy", "order", ...
    source_id: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(200), default="")  # "Policy #GR-2026-0001"
    base_amount: Mapped[int] = mapped_column(BigInteger)
    rate_bps: Mapped[int]  # frozen when recorded
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reversal_of: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agent_commissions.id", ondelete="RESTRICT"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(500), default="")
    approved_by: Mapped[int | None] = mapped_column(BigId)
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WalletEntry(IdMixin, Base):
    """One line of an agent's wallet ledger; the balance is the sum of ``amount``."""

    __tablename__ = "agent_wallet_entries"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'credit' AND amount > 0) OR (kind = 'debit' AND amount < 0)"
            " OR (kind = 'reversal' AND amount <> 0)",
            name="kind_sign",
        ),
        # A commission is credited once and reversed once; a withdrawal is debited once.
        UniqueConstraint("commission_id", "kind"),
        UniqueConstraint("withdrawal_id"),
        Index("ix_agent_wallet_entries_agent", "agent_id", "id"),
    )

    agent_id: Mapped[int] = mapped_column(BigId, ForeignKey("agents.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)  # signed minor units
    currency: Mapped[str] = mapped_column(String(3))
    commission_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agent_commissions.id", ondelete="RESTRICT")
    )
    withdrawal_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agent_withdrawals.id", ondelete="RESTRICT")
    )
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Withdrawal(IdMixin, Base):
    """A payout request. Pending requests hold their amount (the available balance is the
    ledger balance minus pending requests); approval writes the ledger debit."""

    __tablename__ = "agent_withdrawals"
    __table_args__ = (
        CheckConstraint(_in("status", WITHDRAWAL_STATUSES), name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_agent_withdrawals_agent_status", "agent_id", "status"),
        Index("ix_agent_withdrawals_status_created", "status", "created_at"),
    )

    agent_id: Mapped[int] = mapped_column(BigId, ForeignKey("agents.id", ondelete="RESTRICT"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Masked snapshot of where the money goes, as it was when requested.
    bank_name: Mapped[str] = mapped_column(String(120))
    account_hint: Mapped[str] = mapped_column(String(30))
    ifsc_hint: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(100), default="")  # bank transfer reference
    reason: Mapped[str] = mapped_column(String(500), default="")  # why rejected
    decided_by: Mapped[int | None] = mapped_column(BigId)
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
