"""Qala chat: message delivery latency from the sender to the other side's open tab
(issue 5, "numbers to reach": p50 and p99 with 200 open WebSockets on one instance, and
across two instances through Redis; target p99 < 50 ms).

Starts the real server on fresh SQLite databases holding only the Qala store (migrated and
seeded, as bench/qala_pages.py does), signs in four demo users and opens 200 WebSockets to
``/qala/ws``: 50 tabs of the brand user (brand@qala.test, the receiver), 50 of the buyer
(buyer@qala.test, the sender, whose other tabs also receive the message), and 50 each of a
second buyer and another brand's user, who receive nothing of this conversation. Then the
buyer sends messages one after another through the JSON API (a 20 ms pause between them,
so this measures latency, not throughput), and the time from just before the POST until
the message arrives is taken

  - at the first of the brand's tabs ("one tab"), and
  - at the last of the brand's 50 tabs ("all tabs").

Two runs:

  1. one instance, in-memory hub (``MERCATO_REDIS_URL`` unset), every socket on it;
  2. two instances sharing the database and Redis (``--redis``, default db 12): the buyer
     posts to instance A, the brand's 50 tabs are on instance B, the rest split over both.

The client runs on the same machine as the servers. Run it under the bench lock:

    flock /tmp/mercato-bench.lock uv run python bench/qala_chat_latency.py \
        [--messages 300] [--redis redis://127.0.0.1:6379/12] [--single-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402 - bench/load.py: servers, ports
from qala_pages import qala_only_stores  # noqa: E402

from mercato.identity.sessions import SESSION_COOKIE  # noqa: E402

ROOT = load.ROOT
STORE = "qala"
USERS = {
    "buyer": ("buyer@qala.test", "Boutique-Window-Season-8"),
    "brand": ("brand@qala.test", "Atelier-Silk-Courtyard-12"),
}
BYSTANDERS = ("buyer2@qala.test", "kori@qala.test")
TABS_PER_USER = 50
PAUSE_SECONDS = 0.02


def password_of(email: str) -> str:
    """Demo passwords come from store.toml (bystanders included)."""
    import tomllib

    config = tomllib.loads((ROOT / "stores" / STORE / "store.toml").read_text())
    return next(u["password"] for u in config["demo_users"] if u["email"] == email)


@dataclass
class Tab:
    owner: str
    url: str
    cookie: str
    origin: str
    arrivals: dict[str, float] = field(default_factory=dict)
    waiters: dict[str, asyncio.Future] = field(default_factory=dict)


async def run_tab(tab: Tab, ready: asyncio.Event, opened: list[int]) -> None:
    headers = {"Cookie": f"{SESSION_COOKIE}={tab.cookie}", "Origin": tab.origin}
    async with connect(tab.url, additional_headers=headers, max_queue=None) as socket:
        opened.append(1)
        ready.set()
        async for raw in socket:
            now = time.perf_counter()
            data = json.loads(raw)
            if data.get("type") != "message:new":
                continue
            body = data["message"]["body"]
            tab.arrivals[body] = now
            waiter = tab.waiters.pop(body, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)


def sign_in(base: str, email: str, password: str) -> str:
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        page = client.get("/account/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        done = client.post(
            "/account/signin", data={"csrf_token": token, "email": email, "password": password}
        )
        assert done.status_code == 303, (email, done.status_code, done.text[:300])
        return client.cookies[SESSION_COOKIE]


def conversation_id(base: str, cookie: str, bearer: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/brands/maison-solene", cookies={SESSION_COOKIE: cookie})
        brand_id = int(re.search(r'name="brand_id" value="(\d+)"', page.text).group(1))
        started = client.post(
            "/api/v1/conversations",
            json={"brand_id": brand_id},
            headers={"Authorization": f"Bearer {bearer}"},
        )
        started.raise_for_status()
        return started.json()["id"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@dataclass
class Setup:
    cookies: dict[str, str]
    bearer: str
    conversation: int


def set_up(base: str) -> Setup:
    """Sessions for every user, the buyer's API token and the conversation with the brand."""
    cookies = {
        "buyer": sign_in(base, *USERS["buyer"]),
        "brand": sign_in(base, *USERS["brand"]),
        **{email: sign_in(base, email, password_of(email)) for email in BYSTANDERS},
    }
    with httpx.Client(base_url=base, timeout=30) as client:
        token = client.post(
            "/api/v1/auth/token",
            json={"email": USERS["buyer"][0], "password": USERS["buyer"][1]},
        )
        token.raise_for_status()
        bearer = token.json()["access_token"]
    return Setup(cookies, bearer, conversation_id(base, cookies["buyer"], bearer))


async def measure(
    send_base: str, tab_bases: dict[str, list[str]], messages: int, label: str, setup: Setup
) -> dict[str, float]:
    """tab_bases: owner → the instance bases their tabs connect to (round robin)."""
    cookies, bearer, cid = setup.cookies, setup.bearer, setup.conversation
    tabs: list[Tab] = []
    for owner, bases in tab_bases.items():
        for i in range(TABS_PER_USER):
            base = bases[i % len(bases)]
            ws = base.replace("http://", "ws://") + "/ws"
            origin = base.split(f"/{STORE}")[0]
            tabs.append(Tab(owner, ws, cookies[owner], origin))
    opened: list[int] = []
    ready = asyncio.Event()
    tasks = []
    # Open in batches of 20, as tabs open over time, rather than 200 handshakes at once.
    for start in range(0, len(tabs), 20):
        tasks += [asyncio.create_task(run_tab(t, ready, opened)) for t in tabs[start : start + 20]]
        for _ in range(100):
            if len(opened) >= min(len(tabs), start + 20):
                break
            await asyncio.sleep(0.05)
    assert len(opened) == len(tabs), f"only {len(opened)} of {len(tabs)} sockets opened"
    brand_tabs = [t for t in tabs if t.owner == "brand"]
    one_tab: list[float] = []
    all_tabs: list[float] = []
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=send_base, timeout=30) as client:
        headers = {"Authorization": f"Bearer {bearer}"}
        for i in range(messages + 20):  # the first 20 warm up and are not counted
            body = f"bench {label} {i} {secrets.token_hex(4)}"
            waiter = loop.create_future()
            brand_tabs[0].waiters[body] = waiter
            start = time.perf_counter()
            response = await client.post(
                f"/api/v1/conversations/{cid}/messages", json={"body": body}, headers=headers
            )
            assert response.status_code == 201, response.text
            arrived = await asyncio.wait_for(waiter, 10)
            # The other tabs: wait until every brand tab has it (bounded).
            for _ in range(500):
                if all(body in t.arrivals for t in brand_tabs):
                    break
                await asyncio.sleep(0.001)
            if i >= 20:
                one_tab.append((arrived - start) * 1000)
                all_tabs.append((max(t.arrivals[body] for t in brand_tabs) - start) * 1000)
            await asyncio.sleep(PAUSE_SECONDS)
    leaked = [t for t in tabs if t.owner in BYSTANDERS and t.arrivals]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert not leaked, "a bystander's tab received the conversation"
    return {
        "load": os.getloadavg()[0],
        "sockets": len(tabs),
        "messages": messages,
        "one_p50": statistics.median(one_tab),
        "one_p99": percentile(one_tab, 0.99),
        "all_p50": statistics.median(all_tabs),
        "all_p99": percentile(all_tabs, 0.99),
    }


def prepare(tmp: Path, env: dict[str, str]) -> None:
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in ("migrate", "seed"):
        subprocess.run([*cli, command], env=env, cwd=ROOT, check=True, capture_output=True)


def server_env(tmp: Path, port: int, redis: str) -> dict[str, str]:
    return {
        **os.environ,
        # Development: session cookies without the Secure flag, so plain-http loopback
        # clients keep them; nothing else on the measured path differs from production.
        "MERCATO_ENV": "development",
        "MERCATO_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "MERCATO_LOG_LEVEL": "WARNING",
        "MERCATO_VAR_DIR": str(tmp),
        "MERCATO_STORES_DIR": str(tmp / "stores"),
        "MERCATO_DATABASE_URL": "",
        "MERCATO_REDIS_URL": redis,
        "MERCATO_BASE_URL": f"http://127.0.0.1:{port}",
        "MERCATO_RATE_LIMIT_SIGNIN": "1000/minute",
        "MERCATO_RATE_LIMIT_SIGNIN_ACCOUNT": "1000/minute",
        "MERCATO_RATE_LIMIT_TOKEN": "1000/minute",
        "MERCATO_RATE_LIMIT_MESSAGES": "100000/minute",
        "MERCATO_RATE_LIMIT_MESSAGES_HOURLY": "1000000/hour",
    }


def serve(tmp: Path, port: int, redis: str, name: str, worker: bool) -> subprocess.Popen:
    cli = [sys.executable, "-m", "mercato.cli", "serve", "--port", str(port), "--workers", "1"]
    if worker:
        cli.append("--with-worker")
    process = load.start(cli, server_env(tmp, port, redis), tmp / f"{name}.log")
    load.wait_ready(f"http://127.0.0.1:{port}/readyz", process, timeout=240)
    return process


def row(label: str, r: dict[str, float]) -> str:
    return (
        f"| {label} | {r['sockets']} | {r['messages']} | {r['one_p50']:.1f} | "
        f"{r['one_p99']:.1f} | {r['all_p50']:.1f} | {r['all_p99']:.1f} | {r['load']:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--single-only", action="store_true")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="mercato-chat-bench-"))
    qala_only_stores(tmp)
    prepare(tmp, server_env(tmp, 0, ""))
    rows = []
    port = load.free_port()
    one = serve(tmp, port, "", "single", worker=True)
    try:
        base = f"http://127.0.0.1:{port}/{STORE}"
        tabs = {o: [base] for o in ("brand", "buyer", *BYSTANDERS)}
        result = asyncio.run(measure(base, tabs, args.messages, "single", set_up(base)))
        rows.append(row("one instance, in-memory hub", result))
        print(rows[-1], flush=True)
    finally:
        load.stop(one)
    if not args.single_only:
        port_a, port_b = load.free_port(), load.free_port()
        a = serve(tmp, port_a, args.redis, "a", worker=True)
        b = serve(tmp, port_b, args.redis, "b", worker=False)
        try:
            base_a = f"http://127.0.0.1:{port_a}/{STORE}"
            base_b = f"http://127.0.0.1:{port_b}/{STORE}"
            tabs = {
                "brand": [base_b],
                "buyer": [base_a, base_b],
                BYSTANDERS[0]: [base_a, base_b],
                BYSTANDERS[1]: [base_a, base_b],
            }
            result = asyncio.run(measure(base_a, tabs, args.messages, "redis", set_up(base_a)))
            rows.append(row("two instances through Redis (send on A, brand tabs on B)", result))
            print(rows[-1], flush=True)
        finally:
            load.stop(a)
            load.stop(b)
    print()
    command = " ".join(["uv run python bench/qala_chat_latency.py", *sys.argv[1:]])
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{when}: `flock /tmp/mercato-bench.lock {command}`")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite, Redis hub with one pub/sub connection per "
        f"process; client and servers on the same host; load average at the start "
        f"{load_at_start:.1f} (1 min), at the end of each run in the table."
    )
    print()
    print(
        "| run | open sockets | messages | one tab p50 ms | one tab p99 ms | "
        "all 50 brand tabs p50 ms | all 50 brand tabs p99 ms | load average |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for line in rows:
        print(line)


if __name__ == "__main__":
    main()
