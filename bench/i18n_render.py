"""How much translation costs a page: render the sign-in and cart templates of Audio Tài Lộc
in Vietnamese and English, and Atelier Arôme's (English only) for comparison, and time the
first compilation of the Vietnamese catalogue.

    flock /tmp/mercato-bench.lock uv run python bench/i18n_render.py
"""

from __future__ import annotations

import statistics
import time
from types import SimpleNamespace

from mercato.config import Settings
from mercato.kit import i18n
from mercato.platform.stores import discover_stores
from mercato.web.i18n import locale_for

ROUNDS = 2000


def compile_time() -> float:
    i18n.translations.cache_clear()
    started = time.perf_counter()
    i18n.translations("vi")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    import mercato.modules  # noqa: F401 - registers the built-in modules
    from mercato.platform.ratelimit import RateLimiter
    from mercato.platform.realtime import MemoryHub
    from mercato.platform.runtime import build_runtime

    settings = Settings(env="test", secret_key="bench-secret-key-long-enough-0123456789abc")
    stores = {s.slug: s for s in discover_stores(settings.stores_dir)}
    print(f"vi catalogue: {len(i18n.translations('vi')._catalog)} entries")  # type: ignore[attr-defined]
    print(f"compile .po → in-memory .mo: {compile_time():.1f} ms (once per process)")
    hub, limiter = MemoryHub(), RateLimiter("")
    request = SimpleNamespace(url=SimpleNamespace(path="/x", query=""), cookies={})
    context = {
        "request": request,
        "current_user": None,
        "csrf_token": "t",
        "admin_nav": [],
        "flash": None,
        "values": {},
        "errors": {},
    }
    for slug, language in (
        ("atelier-arome", "en"),
        ("audio-tai-loc", "en"),
        ("audio-tai-loc", "vi"),
    ):
        runtime = build_runtime(stores[slug], settings, hub, limiter, mount_path=f"/{slug}")
        template = runtime.templates.get_template("account/signin.html")
        with i18n.use_language(language, locale_for(runtime.config, language)):
            template.render(context)  # warm
            samples = []
            for _round in range(5):
                started = time.perf_counter()
                for _n in range(ROUNDS // 5):
                    template.render(context)
                samples.append((time.perf_counter() - started) / (ROUNDS // 5) * 1e6)
        print(f"{slug:14} {language}: sign-in page {statistics.median(samples):7.1f} µs/render")


if __name__ == "__main__":
    main()
