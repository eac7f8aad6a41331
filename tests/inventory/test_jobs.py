"""The expiry job releases abandoned holds for the slot it runs in."""

from __future__ import annotations

from datetime import timedelta

from mercato.inventory import jobs
from mercato.inventory import service as inventory_service
from mercato.inventory.module import inventory_module
from mercato.kit.time import utcnow
from mercato.platform.scheduler import JobContext
from tests.inventory.support import make_product


async def test_job_releases_holds_expired_at_its_slot(runtime, db):
    # Given a hold that expired and one that has not
    product = await make_product(db, stock=4)
    slot = utcnow()
    await inventory_service.reserve(
        db, [(product.id, 3)], reference="abandoned", ttl=timedelta(minutes=15),
        now=slot - timedelta(minutes=20),
    )  # fmt: skip
    await inventory_service.reserve(
        db, [(product.id, 1)], reference="paying", ttl=timedelta(minutes=15), now=slot
    )
    # When the scheduled job runs for this slot
    await jobs.release_expired_reservations(JobContext(runtime=runtime, db=db, slot=slot))
    # Then only the abandoned checkout's units are free again
    inventory = await inventory_service.stock_of(db, product.id)
    assert (inventory.quantity, inventory.reserved) == (4, 1)


def test_module_schedules_the_job_every_minute():
    [schedule] = inventory_module.schedules
    assert (schedule.name, schedule.cron) == ("inventory.release_expired", "* * * * *")
    assert schedule.job is jobs.release_expired_reservations
