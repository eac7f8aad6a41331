"""Resident memory of each Uvicorn worker after it has served every store's pages.

Memory does not depend on how busy the machine is, so unlike the load benchmark this can run
anywhere. Starts `mercato serve --workers 2 --with-worker` on freshly migrated and seeded
SQLite databases, sends each store's home, catalogue/search and API pages, its admin and a
missing page several times (so every worker has imported, compiled, built and cached what
serving them needs), then reads VmRSS of each worker from /proc and writes the result to
docs/benchmarks.md between markers.

    uv run python bench/memory.py [--rounds 20] [--workers 2] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import (  # noqa: E402
    ROOT,
    free_port,
    migrate_and_seed,
    production_env,
    start,
    stop,
    wait_ready,
    worker_rss_mib,
)

DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:memory:begin -->", "<!-- bench:memory:end -->"
TARGET_MIB = 150
# Pages a visitor and an app reach first in each store; more rounds than workers so the
# kernel's connection balancing sends every kind of page to every worker.
PATHS = [
    "/atelier-arome/",
    "/atelier-arome/essences",
    "/atelier-arome/essences?q=lavender",
    "/atelier-arome/api/v1/products",
    "/wholesale/",
    "/qala/",
    "/qala/discover",
    "/cattle-insurance/",
    "/cattle-insurance/insurance/plans",
    "/audio-tai-loc/",
    "/audio-tai-loc/tim-kiem?q=loa",
    "/audio-tai-loc/sitemap.xml",
]
# A worker in production also answers staff (each store's admin, here the sign-in redirect)
# and requests for pages that do not exist (crawlers, old links), which walk every route of
# the store: FastAPI builds the routes a request walks on first use, so without these the
# bench held only about half of the admin routes a serving worker ends up with (5-9 MiB).
STORES = ["atelier-arome", "wholesale", "qala", "cattle-insurance", "audio-tai-loc"]
PATHS += [f"/{store}/admin" for store in STORES] + [f"/{store}/no-such-page" for store in STORES]
EXPECTED = {f"/{store}/no-such-page": 404 for store in STORES}


def run(args: argparse.Namespace) -> tuple[list[float], dict[str, int]]:
    tmp = Path(tempfile.mkdtemp(prefix="mercato-memory-"))
    port = free_port()
    env = production_env(tmp, port)
    cli = migrate_and_seed(env)
    server = None
    statuses: dict[str, int] = {}
    try:
        serve = [*cli, "serve", "--port", str(port), "--with-worker"]
        server = start([*serve, "--workers", str(args.workers)], env, tmp / "server.log")
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", server)
        for _ in range(args.rounds):
            for path in PATHS:
                # A new connection each time, so requests spread over the workers.
                statuses[path] = httpx.get(base + path, timeout=30).status_code
        return worker_rss_mib(server.pid), statuses
    finally:
        stop(server)


def report(rss: list[float], statuses: dict[str, int], args, command: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    worst = max(rss) if rss else 0.0
    verdict = "met" if worst < TARGET_MIB else "missed"
    lines = [
        f"Measured {when} with `{command}`: {args.workers} workers, {args.rounds} rounds of "
        f"{len(PATHS)} pages over the five stores, with each store's admin and a missing page "
        "(SQLite).",
        "",
        "| worker | RSS MiB |",
        "| --- | ---: |",
        *(f"| {i + 1} | {m:.0f} |" for i, m in enumerate(rss)),
        "",
        f"Target under {TARGET_MIB} MiB per worker: **{verdict}** (largest {worst:.0f} MiB).",
    ]
    failed = {p: s for p, s in statuses.items() if s >= 400 and s != EXPECTED.get(p)}
    if failed:
        lines += [
            "",
            "Pages that did not answer 2xx/3xx: "
            + ", ".join(f"{p} ({s})" for p, s in failed.items()),
        ]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN not in text or END not in text:
        text = f"{text.rstrip()}\n\n## Memory per worker\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rss, statuses = run(args)
    command = ("uv run python bench/memory.py " + " ".join(sys.argv[1:])).strip()
    section = report(rss, statuses, args, command)
    if not args.no_write:
        write_doc(section)
    print(section)


if __name__ == "__main__":
    main()
