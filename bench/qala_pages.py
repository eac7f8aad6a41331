"""Qala page throughput beside the bare app baseline (issue 5, "numbers to reach").

Starts the real server with production settings on fresh databases holding only the Qala
store (a temporary stores folder with Qala's store.toml, seed and theme, migrated and
seeded), and a bare Starlette app serving the same bytes as the brand page, then measures
with wrk (bench/load.py's helpers) for a fixed duration at a fixed number of keep-alive
connections over loopback:

  1. GET /qala/brands/maison-solene                     the brand page (anonymous)
  2. GET /qala/products/maison-solene-silk-maxi-dress   the product page (anonymous)
  3. GET /qala/discover                                 the discovery timeline
  4. GET /qala/api/v1/products?brand=maison-solene      the product API
  5. GET /  on the bare app                             the baseline (brand page bytes)

and prints a markdown table (throughput, p50, p99, ratio to the baseline). It does not write
docs/benchmarks.md; paste the table with the command line. Run it under the bench lock:

    flock /tmp/mercato-bench.lock uv run python bench/qala_pages.py [--connections 32]
        [--duration 10] [--threads 2] [--workers 2] [--database sqlite|postgresql]
        [--no-page-cache]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402 - bench/load.py: wrk, servers, parsing

ROOT = load.ROOT
STORE = "qala"
BRAND = "maison-solene"
PRODUCT = "maison-solene-silk-maxi-dress"


def qala_only_stores(tmp: Path) -> Path:
    """A stores folder with Qala alone, so migrate / seed / serve touch no other store."""
    stores = tmp / "stores"
    (stores / STORE).mkdir(parents=True)
    source = ROOT / "stores" / STORE
    (stores / STORE / "store.toml").write_text((source / "store.toml").read_text())
    for folder in ("seed", "theme"):
        (stores / STORE / folder).symlink_to(source / folder)
    return stores


def run(args: argparse.Namespace, wrk: str | None) -> tuple[list[load.Result], int]:
    tmp = Path(tempfile.mkdtemp(prefix="mercato-qala-bench-"))
    port, bare_port = load.free_port(), load.free_port()
    env = {
        **os.environ,
        "MERCATO_ENV": "production",
        "MERCATO_SECRET_KEY": secrets.token_urlsafe(48),
        "MERCATO_LOG_LEVEL": "WARNING",
        "MERCATO_VAR_DIR": str(tmp),
        "MERCATO_STORES_DIR": str(qala_only_stores(tmp)),
        "MERCATO_DATABASE_URL": load.PG_TEMPLATE if args.database == "postgresql" else "",
        "MERCATO_REDIS_URL": "",
        "MERCATO_BASE_URL": f"http://127.0.0.1:{port}",
        # --no-page-cache measures rendering and queries on every request.
        "MERCATO_PAGE_CACHE_SECONDS": "0" if args.no_page_cache else "300",
    }
    if args.database == "postgresql":
        load.reset_postgres()
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in ("migrate", "seed"):
        subprocess.run([*cli, command], env=env, cwd=ROOT, check=True, capture_output=True)
    server = bare = None
    try:
        workers = ["--workers", str(args.workers)]
        server = load.start([*cli, "serve", "--port", str(port), *workers], env, tmp / "server.log")
        base = f"http://127.0.0.1:{port}/{STORE}"
        # A loaded shared machine can take over a minute to import and start two workers.
        load.wait_ready(f"http://127.0.0.1:{port}/readyz", server, timeout=240)
        plain = {"Accept-Encoding": "identity"}
        page = httpx.get(f"{base}/brands/{BRAND}", headers=plain)
        page.raise_for_status()
        (tmp / "brand.html").write_bytes(page.content)
        bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_app.py"), "--port", str(bare_port)]
        bare = load.start(
            [*bare_cmd, "--body-file", str(tmp / "brand.html"), *workers], env, tmp / "bare.log"
        )
        load.wait_ready(f"http://127.0.0.1:{bare_port}/", bare, timeout=240)
        cases = [
            (f"GET /{STORE}/brands/{BRAND} (brand page)", f"{base}/brands/{BRAND}", server),
            (
                f"GET /{STORE}/products/{PRODUCT} (product page)",
                f"{base}/products/{PRODUCT}",
                server,
            ),
            (f"GET /{STORE}/discover (timeline)", f"{base}/discover", server),
            (
                f"GET /{STORE}/api/v1/products?brand={BRAND} (API)",
                f"{base}/api/v1/products?brand={BRAND}",
                server,
            ),
            (
                "bare Starlette, same bytes as the brand page",
                f"http://127.0.0.1:{bare_port}/",
                bare,
            ),
        ]
        results = []
        for name, url, process in cases:
            if wrk:
                result = load.run_wrk(wrk, name, url, plain, args)
            else:
                result = asyncio.run(load.run_httpx(name, url, plain, args))
            result.rss_mib = load.worker_rss_mib(process.pid)
            print(
                f"{name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms, non-2xx {result.non_2xx}",
                flush=True,
            )
            results.append(result)
        return results, len(page.content)
    finally:
        load.stop(server)
        load.stop(bare)


def table(results: list[load.Result], size: int, args: argparse.Namespace, tool: str) -> str:
    baseline = results[-1].rps or 1.0
    lines = [
        f"Qala pages, {args.database}, page cache {'off' if args.no_page_cache else 'on'}, "
        f"{args.workers} workers, {args.connections} connections, "
        f"{args.duration} s each, {tool}; brand page {size:,} bytes; "
        f"{platform.machine()} with {os.cpu_count()} CPUs shared with other work.",
        "",
        "| case | req/s | p50 ms | p99 ms | errors | share of baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.non_2xx + r.socket_errors} | {r.rps / baseline:.1%} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--no-page-cache", action="store_true", help="render every request")
    args = parser.parse_args()
    args.duration = min(args.duration, load.MAX_DURATION)
    wrk = load.ensure_wrk()
    results, size = run(args, wrk)
    print()
    print(table(results, size, args, "wrk" if wrk else "httpx (client-bound)"))


if __name__ == "__main__":
    main()
