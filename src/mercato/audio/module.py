"""The audio module: Audio Tài Lộc's catalogue glue (specifications, many categories per
product, Vietnamese search with facets, drawn demo pictures)."""

from pathlib import Path

from mercato.audio import api, jobs, live, pages
from mercato.platform.modules import Module, Schedule, lazy_seed

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
    seed=lazy_seed("mercato.audio.seed", "seed_audio"),
)
