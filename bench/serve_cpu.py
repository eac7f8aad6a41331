"""CPU time per cached page in the real server: HTTP parsing, the ASGI stacks and the cache.

bench/cpu.py calls the app in-process; this starts `mercato serve` (production settings, one
Uvicorn worker by default, fresh SQLite databases) and loads a page with wrk at a few
connections, then divides the worker's CPU time (utime + stime from /proc, so the kernel's
socket work is included) by the requests wrk completed. Like bench/cpu.py it hardly depends
on how busy the machine is, unlike requests per second, so it can compare changes on a
shared machine. Also reports the server's idle CPU (nothing requested for a few seconds),
which shows what the in-process outbox worker and other timers burn.

    uv run python bench/serve_cpu.py [--duration 5] [--connections 8] [--no-with-worker]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, free_port, migrate_and_seed, production_env, start, stop, wait_ready  # noqa: E402

PAGES = ["/atelier-arome/essences", "/atelier-arome/essences/provence-lavender"]
TICKS = os.sysconf("SC_CLK_TCK")


def _worker_pids(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children += (task / "children").read_text().split()
    return [
        int(c)
        for c in children
        if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()
    ] or [pid]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--idle", type=int, default=5, help="seconds of idle CPU measured")
    parser.add_argument("--settle", type=int, default=10, help="seconds before measuring")
    parser.add_argument("--with-worker", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--gzip", action="store_true", help="ask for gzip (default identity)")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is needed (apt-get install -y wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="mercato-servecpu-"))
    port = free_port()
    env = production_env(tmp, port)
    cli = migrate_and_seed(env)
    serve = [*cli, "serve", "--port", str(port), "--workers", str(args.workers)]
    if args.with_worker:
        serve.append("--with-worker")
    server = bare = None
    encoding = "gzip" if args.gzip else "identity"
    flags = ["-t1", f"-c{args.connections}", f"-HAccept-Encoding: {encoding}"]
    try:
        server = start(serve, env, tmp / "server.log")
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", server)
        pids = _worker_pids(server.pid)
        # The in-process worker runs every scheduled job's first slot at start: let it pass.
        time.sleep(args.settle)
        before = cpu_seconds(pids)
        time.sleep(args.idle)
        idle = (cpu_seconds(pids) - before) / args.idle
        print(f"idle: {idle * 1000:.1f} ms CPU per second over {len(pids)} worker(s)")
        for page in PAGES:
            measure(wrk, flags, base + page, pids, args.duration, f"{page} ({encoding})")
        body = tmp / "page.html"
        body.write_bytes(
            httpx.get(base + PAGES[0], headers={"Accept-Encoding": "identity"}).content
        )
        bare_port = free_port()
        bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_app.py"), "--port", str(bare_port)]
        bare = start([*bare_cmd, "--body-file", str(body)], env, tmp / "bare.log")
        wait_ready(f"http://127.0.0.1:{bare_port}/", bare)
        label = f"bare Starlette, same bytes as {PAGES[0]}"
        measure(wrk, flags, f"http://127.0.0.1:{bare_port}/", [bare.pid], args.duration, label)
    finally:
        stop(server)
        stop(bare)


def measure(wrk: str, flags: list[str], url: str, pids: list[int], seconds: int, label: str):
    subprocess.run([wrk, *flags, "-d2s", url], capture_output=True, check=True)
    before = cpu_seconds(pids)
    done = subprocess.run(
        [wrk, *flags, f"-d{seconds}s", url], capture_output=True, text=True, check=True
    )
    spent = cpu_seconds(pids) - before
    requests = int(re.search(r"(\d+) requests in", done.stdout).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    print(
        f"{label}: {requests} requests, {spent / requests * 1000:.3f} ms worker CPU each"
        + (f", {non2xx.group(1)} non-2xx" if non2xx else ""),
        flush=True,
    )


if __name__ == "__main__":
    main()
