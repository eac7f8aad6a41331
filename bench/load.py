"""Load benchmark: Mercato beside a bare Starlette baseline, in one run (DESIGN.md §7).

Starts the real server (fresh SQLite databases, migrated and seeded, one Uvicorn worker) and
a bare Starlette app serving the same bytes as the store's home page, then measures, each
for a bounded number of requests at a fixed concurrency over loopback:

  1. GET /atelier-arome/                  the store home page (anonymous)
  2. GET /atelier-arome/api/v1/auth/me    the API "me" endpoint with a bearer token
  3. GET /  on the bare app               the baseline

and writes a markdown table to docs/benchmarks.md (between markers, so the rest of the page
is kept). Loopback only; bounded in count (--requests) and time (--max-seconds per case).

    uv run python bench/load.py [--requests 2000] [--concurrency 20] [--max-seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:load:begin -->", "<!-- bench:load:end -->"
STORE = "atelier-arome"
SHOPPER = ("shopper@atelier-arome.test", "Neroli-Morning-Walk-7")


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


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return 0.0
        return data[min(len(data) - 1, int(round(q * (len(data) - 1))))]


async def measure(
    name: str, url: str, headers: dict[str, str], *, total: int, concurrency: int, cap: float
) -> Result:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
        for _ in range(min(100, total)):  # warm up: connections, caches, JIT-less Python paths
            await client.get(url)
        latencies: list[float] = []
        errors = 0
        issued = 0
        started = time.perf_counter()
        deadline = started + cap

        async def worker() -> None:
            nonlocal issued, errors
            while issued < total and time.perf_counter() < deadline:
                issued += 1
                t0 = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += 0 if ok else 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(name, len(latencies), errors, elapsed, latencies)


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    out = log.open("w")
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def run(args: argparse.Namespace) -> list[Result]:
    tmp = Path(tempfile.mkdtemp(prefix="mercato-bench-"))
    port, bare_port = free_port(), free_port()
    env = {
        **os.environ,
        "MERCATO_ENV": "development",
        "MERCATO_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "MERCATO_VAR_DIR": str(tmp),
        "MERCATO_DATABASE_URL": "",
        "MERCATO_REDIS_URL": "",
    }
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in ("migrate", "seed"):
        subprocess.run([*cli, command], env=env, cwd=ROOT, check=True, capture_output=True)
    server = start([*cli, "serve", "--port", str(port), "--workers", "1"], env, tmp / "server.log")
    bare = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", server)
        plain = {"accept-encoding": "identity"}  # the baseline does not compress; neither here
        home = httpx.get(f"{base}/{STORE}/", headers=plain)
        home.raise_for_status()
        (tmp / "home.html").write_bytes(home.content)
        token = httpx.post(
            f"{base}/{STORE}/api/v1/auth/token",
            json={"email": SHOPPER[0], "password": SHOPPER[1]},
        )
        token.raise_for_status()  # one token only: the endpoint is rate limited
        bearer = {**plain, "authorization": "Bearer " + token.json()["access_token"]}
        bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_app.py"), "--port", str(bare_port)]
        bare = start([*bare_cmd, "--body-file", str(tmp / "home.html")], env, tmp / "bare.log")
        wait_ready(f"http://127.0.0.1:{bare_port}/", bare)
        options = {"total": args.requests, "concurrency": args.concurrency, "cap": args.max_seconds}
        cases = [
            (f"GET /{STORE}/ (home page)", f"{base}/{STORE}/", plain),
            (f"GET /{STORE}/api/v1/auth/me (bearer)", f"{base}/{STORE}/api/v1/auth/me", bearer),
            ("bare Starlette, same bytes as home", f"http://127.0.0.1:{bare_port}/", plain),
        ]
        results = []
        for name, url, headers in cases:
            result = asyncio.run(measure(name, url, headers, **options))
            print(
                f"{name}: {result.rps:.0f} req/s, p50 {result.pct(0.5):.1f} ms, "
                f"p99 {result.pct(0.99):.1f} ms, errors {result.errors}"
            )
            results.append(result)
        results.append(Result("home page size", len(home.content), 0, 0, []))
        return results
    finally:
        for process in (server, bare):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def report(results: list[Result], args: argparse.Namespace, command: str) -> str:
    *cases, size = results
    baseline = cases[-1]
    rows = [
        "| case | requests | errors | req/s | p50 ms | p99 ms | req/s vs bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in cases:
        ratio = r.rps / baseline.rps if baseline.rps else 0
        rows.append(
            f"| {r.name} | {r.requests} | {r.errors} | {r.rps:,.0f} | {r.pct(0.5):.1f} | "
            f"{r.pct(0.99):.1f} | {ratio:.2f}× |"
        )
    return "\n".join(
        [
            BEGIN,
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite, "
            f"one Uvicorn worker per server, {args.concurrency} concurrent keep-alive "
            f"connections from one httpx client process on the same machine.",
            "",
            "```",
            command,
            "```",
            "",
            *rows,
            "",
            f"Home page body: {size.requests:,} bytes (uncompressed). The client shares the CPUs "
            "with the servers, so absolute figures are low-end; the ratio to the bare app is "
            "the number to watch.",
            END,
        ]
    )


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        title = "## Load: home page and API beside a bare app"
        text = f"{text.rstrip()}\n\n{title}\n\n{section}\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    results = run(args)
    command = "uv run python bench/load.py " + " ".join(sys.argv[1:])
    section = report(results, args, command.strip())
    print(section)
    if not args.no_write:
        write_doc(section)


if __name__ == "__main__":
    main()
