"""Demo agent network (the module's own seed hook, for any store that enables it): a tree of
four levels, applicants pending and rejected, commissions in every status, a wallet with
credits, a reversal and a payout, and a withdrawal waiting for the admin.

Agents get fixed codes (AG100001...) so a store's own seed can sell through them; generated
codes never contain 0 or 1, so these can never collide. Idempotent: a second run finds the
first agent and stops.
"""

from __future__ import annotations

from sqlalchemy import select

from mercato.agents import kyc as kyc_rules
from mercato.agents import service, wallet
from mercato.models import Agent, Role, User

PASSWORD = "Commission-Ledger-Village-31"  # noqa: S105 - the published demo login

# (email, name, parent email, code or None, final status)
TREE = [
    ("vikram.agent", "Vikram Jadhav", None, "AG100001", "approved"),
    ("priya.agent", "Priya Kulkarni", "vikram.agent", "AG100002", "approved"),
    ("kiran.agent", "Kiran Shinde", "vikram.agent", "AG100003", "approved"),
    ("arjun.agent", "Arjun Pawar", "priya.agent", "AG100004", "approved"),
    ("sneha.agent", "Sneha More", "arjun.agent", "AG100005", "approved"),
    ("amit.agent", "Amit Gaikwad", "kiran.agent", "AG100006", "suspended"),
    ("rohit.applicant", "Rohit Deshpande", "arjun.agent", None, "pending"),
    ("neha.applicant", "Neha Joshi", None, None, "rejected"),
]
BANKS = [
    ("State Bank of India", "SBIN0000456"),
    ("Bank of Maharashtra", "MAHB0000123"),
    ("HDFC Bank", "HDFC0001234"),
    ("Bank of Baroda", "BARB0PUNEXX"),
]
# (seller email, sale number, amount in paise, what happens to its commissions)
SALES = [
    ("arjun.agent", 1001, 1_250_000, "approve"),
    ("arjun.agent", 1002, 987_654, "approve"),
    ("sneha.agent", 1003, 1_499_999, "approve"),
    ("sneha.agent", 1004, 760_050, "pending"),
    ("priya.agent", 1005, 1_100_000, "pending"),
    ("arjun.agent", 1006, 845_500, "approve_then_reverse"),
    ("kiran.agent", 1007, 1_320_000, "reverse_pending"),
]


def _email(local: str, domain: str) -> str:
    return f"{local}@{domain}"


def _kyc(n: int) -> kyc_rules.Kyc:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    body = f"{43219876500 + n * 7919:011d}"[-11:]
    bank, ifsc = BANKS[n % len(BANKS)]
    return kyc_rules.clean(
        pan=f"{letters[n]}{letters[n + 3]}{letters[n + 5]}P{letters[n + 1]}{4100 + n * 37:04d}"
        f"{letters[n + 7]}",
        aadhaar=("5" + body[1:]) + kyc_rules.verhoeff_digit("5" + body[1:]),
        bank_name=bank,
        account_number=f"{5020012345 + n * 1013:d}0",
        ifsc=ifsc,
    )


async def seed_agents(db, ctx) -> str:  # noqa: ANN001 - (AsyncSession, SeedContext)
    # Late import: platform.seeding imports the module registry, which imports this module.
    from mercato.platform.seeding import ensure_user

    if await db.scalar(select(Agent.id).where(Agent.code == TREE[0][3])) is not None:
        return "already seeded"
    domain = (ctx.config.contact_email.split("@")[-1] or f"{ctx.config.slug}.test").lower()
    roles = {r.name: r for r in await db.scalars(select(Role))}
    admin = await db.scalar(
        select(User).where(User.email == _email("admin", domain))
    )  # the store's demo admin decides, when there is one
    cipher = service.cipher_for(ctx.settings.secret_key.get_secret_value())
    agents: dict[str, Agent] = {}
    for n, (local, name, parent, code, status) in enumerate(TREE):
        user, _ = await ensure_user(
            db,
            roles,
            email=_email(local, domain),
            password=PASSWORD,
            name=name,
            role_names=["customer"],
        )
        agent = await service.register_agent(
            db,
            user=user,
            cipher=cipher,
            currency=ctx.config.currency,
            kyc=_kyc(n),
            parent_code=(agents[parent].code or "") if parent else "",
            phone=f"+91 98{n:01d}22 {10000 + n * 1111:05d}",
        )
        if status in ("approved", "suspended"):
            agent.code = code  # a fixed demo code: approval keeps a code already set
            await db.flush()
            await service.approve_agent(db, admin, agent.id)
        if status == "suspended":
            await service.suspend_agent(db, admin, agent.id)
        if status == "rejected":
            await service.reject_agent(
                db, admin, agent.id, "The PAN card photo was unreadable; please apply again."
            )
        agents[local] = agent

    counts = {"approved": 0, "pending": 0, "reversed": 0}
    for seller, number, amount, fate in SALES:
        records = await service.record_sale_commissions(
            db,
            agent_id=agents[seller].id,
            source_type="demo_sale",
            source_id=number,
            base_amount_minor=amount,
            label=f"Demo sale #D-{number}",
        )
        if fate in ("approve", "approve_then_reverse"):
            await service.approve_commissions(
                db, admin, [r.id for r in records], locale=ctx.config.locale
            )
        if fate in ("approve_then_reverse", "reverse_pending"):
            await service.reverse_commissions(
                db, source_type="demo_sale", source_id=number, reason="Sale cancelled"
            )
        key = {"approve": "approved", "pending": "pending"}.get(fate, "reversed")
        counts[key] += len(records)

    # Payouts for Arjun: one paid, one refused, one waiting for the admin.
    arjun = agents["arjun.agent"].id
    paid = await wallet.request_withdrawal(db, arjun, 100_000, cipher, locale=ctx.config.locale)
    await wallet.approve_withdrawal(db, admin, paid.id, "UTR2026112900731")
    refused = await wallet.request_withdrawal(db, arjun, 60_000, cipher, locale=ctx.config.locale)
    await wallet.reject_withdrawal(
        db, admin, refused.id, "The bank returned the transfer: account name mismatch."
    )
    await wallet.request_withdrawal(db, arjun, 50_000, cipher, locale=ctx.config.locale)
    return (
        f"{len(TREE)} agents, commissions {counts['approved']} approved / "
        f"{counts['pending']} pending / {counts['reversed']} reversed, 3 withdrawals"
    )
