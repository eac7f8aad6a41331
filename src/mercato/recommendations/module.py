"""The recommendations module: "customers also bought" and "similar products", computed
hourly by a job into a table and shown on product pages and in the cart."""

from pathlib import Path

from mercato.platform.modules import Module, Schedule
from mercato.recommendations import jobs, pages


async def _seed(db, ctx) -> str:
    from mercato.recommendations import service

    counts = await service.compute_all(db)
    return ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing to recommend yet"


recommendations_module = Module(
    name="recommendations",
    title="Recommendations",
    requires=("catalog", "orders", "audio"),
    product_page=pages.product_page,
    page_dependencies=[pages.cart_context],
    jobs={"compute": jobs.compute},
    schedules=[Schedule("recommendations.compute", "17 * * * *", jobs.compute)],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=_seed,
)
