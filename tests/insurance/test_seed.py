"""The demo seed: five plans, policies in every status with photos, claims in several
states; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.insurance import files
from mercato.insurance.seed import seed_insurance
from mercato.models.insurance import Claim, Policy, PolicyPhoto, PolicyPlan
from mercato.platform.seeding import SeedContext


async def test_seed_covers_every_status_and_is_idempotent(db, ins_runtime, make_user):
    farmer = await make_user("farmer@cattle-insurance.test", name="Sunita Deshmukh")
    config = ins_runtime.config
    ctx = SeedContext(
        config=config,
        settings=ins_runtime.settings,
        seed_dir=config.seed_dir,
        storage=ins_runtime.storage,
        users={farmer.email: farmer},
    )
    summary = await seed_insurance(db, ctx)
    assert summary == "5 plans, 9 new policies, 5 new claims"
    statuses = set(await db.scalars(select(Policy.status)))
    assert statuses == {
        "PENDING",
        "PENDING_APPROVAL",
        "APPROVED",
        "REJECTED",
        "EXPIRED",
        "CANCELLED",
    }
    assert set(await db.scalars(select(Claim.status))) == {
        "pending",
        "under_review",
        "approved",
        "paid",
        "rejected",
    }
    assert await db.scalar(select(func.count()).select_from(PolicyPlan)) == 5
    photos = await db.scalar(select(func.count()).select_from(PolicyPhoto))
    assert photos == 18
    key = await db.scalar(select(PolicyPhoto.storage_key).limit(1))
    assert (await files.private_storage(ins_runtime).read(key))[:3] == b"\xff\xd8\xff"
    assert await seed_insurance(db, ctx) == "5 plans, 0 new policies, 0 new claims"
