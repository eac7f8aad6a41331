"""The audio module: Audio Tài Lộc's catalogue glue (specifications, many categories per
product, Vietnamese search with facets, drawn demo pictures)."""

from pathlib import Path
from typing import Any

from mercato.audio import api, jobs, live, pages
from mercato.platform.modules import Module, Schedule


async def _seed_audio(db: Any, ctx: Any) -> str:
    # Imported when seeding: the seed draws pictures with Pillow, which a serving worker
    # would otherwise carry (about 6 MiB) without ever drawing one.
    from mercato.audio.seed import seed_audio

    return await seed_audio(db, ctx)


audio_module = Module(
    name="audio",
    title="Audio shop",
    requires=("catalog", "inventory"),
    pages=[pages.router],
    api=[api.router],
    product_page=pages.product_page,
    sitemap=pages.sitemap,
    event_handlers=live.EVENT_HANDLERS,
    jobs={"reindex_search": jobs.reindex_search},
    schedules=[Schedule("audio.reindex_search", "* * * * *", jobs.reindex_search)],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=_seed_audio,
)
