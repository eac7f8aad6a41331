"""Scale benchmark: the catalogue page and search with 100 and with 100,000 products.

Starts from fresh databases (migrated and seeded like the demo), tops the Atelier Arôme
catalogue up to 100 generated products, measures, then to 100,000 and measures again, with
the page cache off so every request really queries and renders. Each case is a series of
sequential requests from one client (after warm-up); the median and p90 are reported, and
the ratio between the two catalogue sizes, to docs/benchmarks.md between markers.

    uv run python bench/scale.py [--products 100000] [--requests 40]
                                 [--database sqlite|postgresql] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import PG_TEMPLATE, ROOT, free_port, reset_postgres, start, stop, wait_ready  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:scale:begin -->", "<!-- bench:scale:end -->"
STORE = "atelier-arome"
BATCH = 5000

# Words to build plausible names and descriptions from, so search has work to do.
PLANTS = [
    "Lavender",
    "Rose",
    "Neroli",
    "Vetiver",
    "Cedar",
    "Myrtle",
    "Juniper",
    "Fennel",
    "Yarrow",
    "Tansy",
    "Thyme",
    "Sage",
    "Rosemary",
    "Melissa",
    "Immortelle",
    "Cypress",
    "Elemi",
    "Galbanum",
    "Labdanum",
    "Oakmoss",
    "Orris",
    "Tuberose",
]
PLACES = [
    "Provence",
    "Grasse",
    "Kerala",
    "Tasmania",
    "Calabria",
    "Corsica",
    "Atlas",
    "Anatolia",
    "Madagascar",
]
NOTES = [
    "Floral",
    "Herbaceous",
    "Sweet",
    "Citrus",
    "Woody",
    "Resinous",
    "Spicy",
    "Green",
    "Earthy",
    "Balsamic",
]
RARITIES = ("common", "rare", "limited", "seasonal")
SEASONS = ("spring", "summer", "autumn", "winter", "all_year")

CASES = (
    ("catalogue, first page", "essences"),
    ("catalogue, one humour, by price", "essences?category=calming&sort=price_asc"),
    ("catalogue, page 20", "essences?page=20"),
    ("search 'rose' (many matches)", "essences?q=rose"),
    ("search 'tasmania vetiver'", "essences?q=tasmania+vetiver"),
    ("API product list", "api/v1/products"),
)


def _env(tmp: Path, database: str) -> dict[str, str]:
    return {
        **os.environ,
        "MERCATO_ENV": "production",
        "MERCATO_SECRET_KEY": secrets.token_urlsafe(48),
        "MERCATO_LOG_LEVEL": "WARNING",
        "MERCATO_VAR_DIR": str(tmp),
        "MERCATO_DATABASE_URL": PG_TEMPLATE if database == "postgresql" else "",
        "MERCATO_REDIS_URL": "",
        "MERCATO_PAGE_CACHE_SECONDS": "0",  # measure queries and rendering, not memory
    }


async def top_up(url: str, target: int) -> int:
    """Insert generated products (with stock) until the catalogue holds `target`."""
    from sqlalchemy import func, insert, select, text

    from mercato.db import create_engine
    from mercato.models import Category, Inventory, Product

    engine = create_engine(url, pool=False)
    rng = random.Random(target)
    try:
        async with engine.begin() as conn:
            have = await conn.scalar(select(func.count()).select_from(Product))
            categories = list(await conn.scalars(select(Category.id)))
            next_id = (await conn.scalar(select(func.max(Product.id)))) or 0
            while have < target:
                rows, stock = [], []
                for _ in range(min(BATCH, target - have)):
                    next_id += 1
                    plant, place = rng.choice(PLANTS), rng.choice(PLACES)
                    notes = rng.sample(NOTES, 3)
                    rows.append(
                        {
                            "id": next_id,
                            "name": f"{place} {plant} No. {next_id}",
                            "slug": f"{place}-{plant}-{next_id}".lower(),
                            "latin_name": f"{plant}us {place.lower()}ensis",
                            "sku": f"GEN-{next_id:07d}",
                            "short_description": f"{plant} from {place}, {notes[0].lower()}.",
                            "description": f"A {notes[0].lower()} {plant.lower()} essence "
                            f"distilled in {place}, with {notes[1].lower()} and "
                            f"{notes[2].lower()} notes.",
                            "price": rng.randrange(2800, 9800, 100),
                            "category_id": rng.choice(categories),
                            "rarity": rng.choice(RARITIES),
                            "season": rng.choice(SEASONS),
                            "scent_notes": notes,
                            "volume_ul": 5000,
                            "is_active": True,
                        }
                    )
                    stock.append({"product_id": next_id, "quantity": rng.randrange(0, 60)})
                await conn.execute(insert(Product), rows)
                await conn.execute(insert(Inventory), stock)
                have += len(rows)
            await conn.execute(text("ANALYZE"))  # fresh statistics for the planner
        return have
    finally:
        await engine.dispose()


def measure(base: str, requests: int) -> dict[str, tuple[float, float, int]]:
    """Median and p90 milliseconds per case, and the body size of the last answer."""
    out = {}
    with httpx.Client(base_url=base, timeout=60, headers={"Accept-Encoding": "identity"}) as c:
        for name, path in CASES:
            for _ in range(3):
                c.get(path).raise_for_status()
            times = []
            size = 0
            for _ in range(requests):
                t0 = time.perf_counter()
                answer = c.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                answer.raise_for_status()
                size = len(answer.content)
            times.sort()
            out[name] = (statistics.median(times), times[int(0.9 * (len(times) - 1))], size)
    return out


def run(args: argparse.Namespace) -> tuple[dict, dict, int]:
    tmp = Path(tempfile.mkdtemp(prefix="mercato-scale-"))
    env = _env(tmp, args.database)
    if args.database == "postgresql":
        reset_postgres()
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in ("migrate", "seed"):
        subprocess.run([*cli, command], env=env, cwd=ROOT, check=True, capture_output=True)
    url = (
        PG_TEMPLATE.format(store=STORE.replace("-", "_"))
        if args.database == "postgresql"
        else f"sqlite+aiosqlite:///{tmp / STORE.replace('-', '_')}.db"
    )
    results = []
    total = 0
    for target in (100, args.products):
        print(f"topping the catalogue up to {target:,} products …", flush=True)
        t0 = time.perf_counter()
        total = asyncio.run(top_up(url, target))
        print(f"  {total:,} products ({time.perf_counter() - t0:.0f} s)", flush=True)
        port = free_port()
        server = start([*cli, "serve", "--port", str(port)], env, tmp / f"server-{target}.log")
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base + "/readyz", server)
            results.append(measure(f"{base}/{STORE}/", args.requests))
        finally:
            stop(server)
    return results[0], results[1], total


def report(small: dict, large: dict, total: int, args, command: str, load_before: float) -> str:
    database = "PostgreSQL 127.0.0.1:5432" if args.database == "postgresql" else "SQLite"
    rows = [
        f"| case | 100 products: median ms | p90 ms | {total:,}: median ms | p90 ms | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, _ in CASES:
        s, big = small[name], large[name]
        rows.append(
            f"| {name} | {s[0]:.1f} | {s[1]:.1f} | {big[0]:.1f} | {big[1]:.1f} "
            f"| {big[0] / s[0]:.2f}× |"
        )
    return "\n".join(
        [
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {database}, one "
            f"Uvicorn worker, page cache off, {args.requests} sequential requests per case "
            f"after 3 warm-up requests; {total:,} products in the large catalogue; load "
            f"average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
            "(other work on the machine skews the two phases differently).",
            "",
            "```",
            command,
            "```",
            "",
            *rows,
        ]
    )


def write_doc(section: str, database: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN not in text:
        text = f"{text.rstrip()}\n\n## Scale: 100 and 100,000 products\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    inner, tail = rest.split(END, 1)
    parts = dict(re.findall(r"^### (\w+)\n\n(.*?)(?=^### |\Z)", inner, re.M | re.S))
    parts[database] = section + "\n"
    body = "".join(
        f"### {k}\n\n{parts[k].strip()}\n\n" for k in ("SQLite", "PostgreSQL") if k in parts
    )
    DOC.write_text(f"{head}{BEGIN}\n{body.rstrip()}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    small, large, total = run(args)
    command = "uv run python bench/scale.py " + " ".join(sys.argv[1:])
    section = report(small, large, total, args, command.strip(), load_before)
    if not args.no_write:
        write_doc(section, "PostgreSQL" if args.database == "postgresql" else "SQLite")
    print(section)


if __name__ == "__main__":
    main()
