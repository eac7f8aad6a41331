"""Load benchmark: Mercato beside a bare Starlette baseline, in one run (DESIGN.md §7).

Installs wrk if it is missing (apt-get), then starts the real server with production settings
(`mercato serve --workers N`, fresh databases, migrated and seeded) and a bare Starlette app
serving the same bytes as the store's home page (as many Uvicorn workers), and measures each
case for a fixed duration at a fixed number of keep-alive connections over loopback:

  1. GET /atelier-arome/                          the store home page (anonymous)
  2. GET /atelier-arome/essences                  the catalogue page (anonymous)
  3. GET /atelier-arome/essences/provence-lavender  a product page (anonymous)
  4. GET /atelier-arome/api/v1/auth/me            the API "me" endpoint with a bearer token
  5. POST /atelier-arome/api/v1/cart/items        add to cart (guest carts, bench/add_to_cart.lua)
  6. GET /  on the bare app                       the baseline

then full sandbox checkouts (bench/shopper.py: cart, order, card page, webhook, paid) with
many concurrent shoppers, reported as paid checkouts per second,

and writes a markdown table to docs/benchmarks.md (between markers, so the rest of the page
is kept). Only if wrk cannot be installed does it fall back to an httpx client in this
process, which is itself the bottleneck (it says so). Loopback only; bounded in time.

    uv run python bench/load.py [--connections 64] [--duration 10] [--threads 2]
                                [--workers 2] [--database sqlite|postgresql]
                                [--shoppers 32] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shopper  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:load:begin -->", "<!-- bench:load:end -->"
STORE = "atelier-arome"
PRODUCT = "provence-lavender"
SHOPPER = ("shopper@atelier-arome.test", "Neroli-Morning-Walk-7")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_TEMPLATE = "postgresql+asyncpg://postgres@127.0.0.1:5432/mercato_bench_{store}"
MAX_DURATION = 60


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # wrk counts status >= 400 here ("Non-2xx or 3xx responses")
    socket_errors: int
    rss_mib: list[float] = field(default_factory=list)


def ensure_wrk() -> str | None:
    """wrk's path; installs it with apt-get when it is missing. None if that fails."""
    if path := shutil.which("wrk"):
        return path
    print("wrk is not installed: installing it with `apt-get install -y wrk` …", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for step in (["install", "-y", "wrk"], ["update"], ["install", "-y", "wrk"]):
        try:
            done = subprocess.run([*sudo, "apt-get", *step], capture_output=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired):
            break
        if step[0] == "install" and done.returncode == 0:
            break
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early: {url}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"not ready in {timeout}s: {url}")


def worker_rss_mib(pid: int) -> list[float]:
    """VmRSS of the Uvicorn worker children of `pid` (or of `pid` itself with one worker)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children += (task / "children").read_text().split()
    workers = [
        c for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()
    ] or [str(pid)]
    rss = []
    for c in workers:
        status = Path(f"/proc/{c}/status").read_text()
        kib = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        rss.append(int(kib.group(1)) / 1024 if kib else 0.0)
    return rss


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(name: str, out: str) -> Result:
    def grab(pattern: str) -> re.Match[str]:
        match = re.search(pattern, out, re.M)
        if not match:
            raise SystemExit(f"unexpected wrk output (no {pattern!r}):\n{out}")
        return match

    def pct(q: str) -> float:
        value, unit = grab(rf"^\s+{q}%\s+([\d.]+)(us|ms|s|m)\s*$").groups()
        return float(value) * UNITS_MS[unit]

    total = grab(r"(\d+) requests in ([\d.]+)(us|ms|s|m)")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(
        name,
        requests=int(total.group(1)),
        seconds=float(total.group(2)) * UNITS_MS[total.group(3)] / 1000,
        rps=float(grab(r"^Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=pct("50"),
        p99_ms=pct("99"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(map(int, errors.groups())) if errors else 0,
    )


def run_wrk(
    wrk: str, name: str, url: str, headers: dict[str, str], args, script: list[str] | None = None
) -> Result:
    flags = [f"-H{k}: {v}" for k, v in headers.items()]
    base = [wrk, "--latency", f"-t{args.threads}", f"-c{args.connections}", "--timeout", "10s"]
    lua = [] if script is None else ["-s", script[0]]
    extra = [] if script is None else ["--", *script[1:]]
    warm = subprocess.run(
        [*base, "-d2s", *flags, *lua, url, *extra], capture_output=True, timeout=60
    )
    warm.check_returncode()
    done = subprocess.run(
        [*base, f"-d{args.duration}s", *flags, *lua, url, *extra],
        capture_output=True,
        text=True,
        timeout=args.duration + 60,
        check=True,
    )
    return parse_wrk(name, done.stdout)


async def run_httpx(name: str, url: str, headers: dict[str, str], args) -> Result:
    """The fallback: one Python client process, itself the bottleneck."""
    limits = httpx.Limits(max_connections=args.connections)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=10) as client:
        latencies: list[float] = []
        bad = errors = 0
        started = time.perf_counter()
        deadline = started + args.duration

        async def worker() -> None:
            nonlocal bad, errors
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    bad += (await client.get(url)).status_code >= 400
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

        await asyncio.gather(*(worker() for _ in range(args.connections)))
        elapsed = time.perf_counter() - started
    data = sorted(latencies) or [0.0]
    at = lambda q: data[min(len(data) - 1, round(q * (len(data) - 1)))]  # noqa: E731
    return Result(
        name, len(latencies), elapsed, len(latencies) / elapsed, at(0.5), at(0.99), bad, errors
    )


def reset_postgres() -> None:
    """Drop the bench databases so the run starts fresh; `mercato migrate` recreates them."""
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN, timeout=10)
        try:
            rows = await conn.fetch(
                r"SELECT datname FROM pg_database WHERE datname LIKE 'mercato\_bench\_%'"
            )
            for row in rows:
                await conn.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def production_env(var_dir: Path, port: int, database_url: str = "") -> dict[str, str]:
    """A server's environment as production would run it, on fresh databases in ``var_dir``
    (SQLite unless ``database_url``), with no JSON log line per request."""
    return {
        **os.environ,
        "MERCATO_ENV": "production",
        "MERCATO_SECRET_KEY": secrets.token_urlsafe(48),
        "MERCATO_LOG_LEVEL": "WARNING",
        "MERCATO_VAR_DIR": str(var_dir),
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_REDIS_URL": "",
        # Payment pages and return links are absolute: they must name this server's port.
        "MERCATO_BASE_URL": f"http://127.0.0.1:{port}",
    }


def migrate_and_seed(env: dict[str, str]) -> list[str]:
    """Migrate and seed every store; returns the CLI command prefix for what follows."""
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in ("migrate", "seed"):
        subprocess.run([*cli, command], env=env, cwd=ROOT, check=True, capture_output=True)
    return cli


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    out = log.open("w")
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()  # Uvicorn's supervisor stops its workers on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(
    args: argparse.Namespace, wrk: str | None
) -> tuple[list[Result], int, shopper.CheckoutResult]:
    tmp = Path(tempfile.mkdtemp(prefix="mercato-bench-"))
    port, bare_port = free_port(), free_port()
    env = production_env(tmp, port, PG_TEMPLATE if args.database == "postgresql" else "")
    # The checkout run places hundreds of orders a second from one address.
    env["MERCATO_RATE_LIMIT_CHECKOUT"] = "10000000/minute"
    if args.database == "postgresql":
        reset_postgres()
    cli = migrate_and_seed(env)
    server = bare = None
    try:
        workers = ["--workers", str(args.workers)]
        serve = [*cli, "serve", "--port", str(port), "--with-worker", *workers]
        server = start(serve, env, tmp / "server.log")
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", server)
        store_url = f"{base}/{STORE}"
        lavender = shopper.product_id(store_url, PRODUCT)
        store_db = (
            PG_TEMPLATE.format(store=STORE.replace("-", "_"))
            if args.database == "postgresql"
            else f"sqlite+aiosqlite:///{tmp / STORE.replace('-', '_')}.db"
        )
        shopper.raise_stock(store_db, lavender)
        tokens_file = tmp / "cart-tokens.txt"
        tokens_file.write_text("\n".join(shopper.guest_cart_tokens(store_url, args.connections)))
        plain = {"Accept-Encoding": "identity"}  # the baseline does not compress; neither here
        home = httpx.get(f"{base}/{STORE}/", headers=plain)
        home.raise_for_status()
        (tmp / "home.html").write_bytes(home.content)
        token = httpx.post(
            f"{base}/{STORE}/api/v1/auth/token",
            json={"email": SHOPPER[0], "password": SHOPPER[1]},
        )
        token.raise_for_status()  # one token only: the endpoint is rate limited
        bearer = {**plain, "Authorization": "Bearer " + token.json()["access_token"]}
        bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_app.py"), "--port", str(bare_port)]
        bare_cmd += ["--body-file", str(tmp / "home.html"), *workers]
        bare = start(bare_cmd, env, tmp / "bare.log")
        wait_ready(f"http://127.0.0.1:{bare_port}/", bare)
        add_to_cart = [str(shopper.LUA), str(lavender), str(tokens_file)]
        cases = [
            (f"GET /{STORE}/ (home page)", f"{store_url}/", plain, server, None),
            (f"GET /{STORE}/essences (catalogue)", f"{store_url}/essences", plain, server, None),
            (
                f"GET /{STORE}/essences/{PRODUCT} (product)",
                f"{store_url}/essences/{PRODUCT}",
                plain,
                server,
                None,
            ),
            (
                f"GET /{STORE}/api/v1/auth/me (bearer)",
                f"{store_url}/api/v1/auth/me",
                bearer,
                server,
                None,
            ),
            (
                f"POST /{STORE}/api/v1/cart/items (add to cart)",
                f"{store_url}/api/v1/cart/items",
                {},
                server,
                add_to_cart,
            ),
            (
                "bare Starlette, same bytes as home",
                f"http://127.0.0.1:{bare_port}/",
                plain,
                bare,
                None,
            ),
        ]
        if args.cart_only:
            cases = [case for case in cases if case[4] is add_to_cart]
        results = []
        for name, url, headers, process, script in [] if args.checkout_only else cases:
            if wrk:
                result = run_wrk(wrk, name, url, headers, args, script)
            elif script:
                continue  # the httpx fallback does not do scripted POSTs
            else:
                result = asyncio.run(run_httpx(name, url, headers, args))
            result.rss_mib = worker_rss_mib(process.pid)
            print(
                f"{name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms, non-2xx {result.non_2xx}, "
                f"socket errors {result.socket_errors}, worker RSS "
                + ", ".join(f"{m:.0f} MiB" for m in result.rss_mib),
                flush=True,
            )
            results.append(result)
        if args.cart_only:
            return results, len(home.content), shopper.CheckoutResult(0, 0, 0.0, 0.0, 0.0)
        checkout = asyncio.run(
            shopper.checkouts(store_url, lavender, shoppers=args.shoppers, duration=args.duration)
        )
        print(
            f"sandbox checkouts: {checkout.per_second:.1f}/s, p50 {checkout.p50_ms:.0f} ms, "
            f"p99 {checkout.p99_ms:.0f} ms, failed {checkout.failed}"
            + (f" (first: {checkout.first_error})" if checkout.failed else "")
            + f"; median per step: {checkout.steps_text}",
            flush=True,
        )
        return results, len(home.content), checkout
    finally:
        stop(server)
        stop(bare)


def report(
    results: list[Result],
    size: int,
    checkout: shopper.CheckoutResult,
    args,
    wrk: str | None,
    command: str,
) -> str:
    baseline = results[-1]
    rows = [
        "| case | requests | req/s | p50 ms | p99 ms | non-2xx | socket errors "
        "| worker RSS MiB | req/s vs bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = r.rps / baseline.rps if baseline.rps else 0
        rss = " / ".join(f"{m:.0f}" for m in r.rss_mib)
        rows.append(
            f"| {r.name} | {r.requests:,} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
            f"| {r.non_2xx} | {r.socket_errors} | {rss} | {ratio:.2f}× |"
        )
    if wrk:
        done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
        version = (done.stdout + done.stderr).split()
        client = f"{' '.join(version[:2])}, {args.threads} threads"
    else:
        client = "an httpx client in one Python process (wrk could not be installed: low-end)"
    database = "PostgreSQL 127.0.0.1:5432" if args.database == "postgresql" else "SQLite"
    return "\n".join(
        [
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {database}, "
            f"`MERCATO_ENV=production`, `MERCATO_LOG_LEVEL=WARNING`, {args.workers} Uvicorn "
            f"workers per server, {args.connections} keep-alive connections for "
            f"{args.duration} s per case (after a 2 s warm-up) from {client} on the same "
            "machine.",
            "",
            "```",
            command,
            "```",
            "",
            *rows,
            "",
            f"Full sandbox checkouts ({args.shoppers} concurrent guest shoppers for "
            f"{args.duration} s; each: new cart, add, place order, card page, pay, wait for the "
            f"webhook to mark it paid): **{checkout.per_second:.1f} paid checkouts/s**, "
            f"{checkout.completed:,} completed, {checkout.failed} failed, p50 "
            f"{checkout.p50_ms:.0f} ms, p99 {checkout.p99_ms:.0f} ms per checkout; median per "
            f"step: {checkout.steps_text}"
            " (the outbox worker is woken by the commit of the payment event; the shopper "
            "waits with the order status long poll).",
            "",
            f"Home page body: {size:,} bytes (uncompressed). Worker RSS is read from "
            "/proc/<pid>/status (VmRSS) of each Uvicorn worker after its cases.",
        ]
    )


def write_doc(section: str, database: str) -> None:
    """Keeps one section per database between the markers, replacing this database's one."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN not in text or END not in text:
        text = (
            f"{text.rstrip()}\n\n## Load: home page and API beside a bare app\n\n{BEGIN}\n{END}\n"
        )
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
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--duration", type=int, default=10, help=f"seconds per case (≤ {MAX_DURATION})"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="Uvicorn workers per server")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--shoppers", type=int, default=32, help="concurrent checkouts")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--checkout-only", action="store_true", help="only the sandbox checkouts (debugging)"
    )
    parser.add_argument(
        "--cart-only",
        action="store_true",
        help="only the add-to-cart case, no checkouts, nothing written (iterating on it)",
    )
    args = parser.parse_args()
    if args.cart_only:
        args.no_write = True
    args.duration = max(1, min(args.duration, MAX_DURATION))
    args.threads = max(1, min(args.threads, args.connections))
    wrk = ensure_wrk()
    if not wrk:
        print(
            "wrk could not be installed: falling back to the httpx client, which is itself "
            "the bottleneck (figures are low-end).",
            flush=True,
        )
    results, size, checkout = run(args, wrk)
    if args.cart_only or args.checkout_only:
        return  # its line above is the result
    command = "uv run python bench/load.py " + " ".join(sys.argv[1:])
    section = report(results, size, checkout, args, wrk, command.strip())
    if not args.no_write:
        write_doc(section, "PostgreSQL" if args.database == "postgresql" else "SQLite")
    print(section)


if __name__ == "__main__":
    main()
