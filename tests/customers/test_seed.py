"""The demo address book: the demo customer checks out with a saved default address."""

from __future__ import annotations

from pathlib import Path

from mercato.config import PROJECT_ROOT
from mercato.customers import service
from mercato.customers.seed import seed_customers
from mercato.platform.files import LocalStorage
from mercato.platform.seeding import SeedContext


async def test_demo_customer_gets_one_default_address_once(
    db, runtime, settings, make_user, tmp_path: Path
):
    clara = await make_user("shopper@atelier-arome.test")
    ctx = SeedContext(
        config=runtime.config,
        settings=settings,
        seed_dir=PROJECT_ROOT / "stores/atelier-arome/seed",
        storage=LocalStorage(tmp_path, url_prefix="/files"),
        users={clara.email: clara},
    )
    assert await seed_customers(db, ctx) == "1 address"
    assert await seed_customers(db, ctx) == "0 addresses"  # idempotent
    default = await service.default_address(db, clara.id, "shipping")
    assert default is not None and default.city == "New York" and default.region == "NY"
