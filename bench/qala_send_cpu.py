"""Qala chat: CPU time of one message send, from the POST to the pushes in the sockets'
queues, measured in-process (the send path of bench/qala_chat_latency.py without HTTP
parsing, WebSocket framing or a client competing for the CPU).

CPU time hardly depends on what else a shared machine is doing, so this compares changes to
the send path while other work runs; bench/qala_chat_latency.py gives the end-to-end numbers.
The app is called as an ASGI callable on freshly migrated and seeded SQLite databases
holding Qala alone, with production settings. 50 queues listen to the brand user's channel
and 50 to the buyer's, as the latency bench's tabs do. Reported: the statements one send
runs (in the request, and after it), CPU ms per send (best of three runs), and with
``--profile`` the functions that take the time.

    uv run python bench/qala_send_cpu.py [--sends 300] [--redis redis://127.0.0.1:6379/13]
        [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu import _call  # noqa: E402 - bench/cpu.py: the ASGI call
from load import ROOT  # noqa: E402
from qala_pages import qala_only_stores  # noqa: E402

STORE = "/qala"
BUYER = ("buyer@qala.test", "Boutique-Window-Season-8")
BRAND_USER = "brand@qala.test"
TABS = 50


async def measure(sends: int, profile: bool) -> dict[str, object]:
    from sqlalchemy import event, select

    from mercato.app import create_app
    from mercato.config import Settings
    from mercato.models import User
    from mercato.models.brands import Brand
    from mercato.platform.notifications import user_channel

    app = create_app(Settings(env="production", secret_key=os.environ["MERCATO_SECRET_KEY"]))
    results: dict[str, object] = {}
    async with app.router.lifespan_context(app):
        runtime = app.state.runtimes["qala"]
        api = [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json")]
        credentials = json.dumps({"email": BUYER[0], "password": BUYER[1]}).encode()
        _, _, body = await _call(app, "POST", f"{STORE}/api/v1/auth/token", api, credentials)
        bearer = json.loads(body)["access_token"]
        auth = [*api, (b"authorization", f"Bearer {bearer}".encode())]
        async with runtime.db.session(write=False) as db:
            brand_id = await db.scalar(select(Brand.id).where(Brand.slug == "maison-solene"))
        started = json.dumps({"brand_id": brand_id}).encode()
        _, _, body = await _call(app, "POST", f"{STORE}/api/v1/conversations", auth, started)
        conversation = json.loads(body)["id"]
        async with runtime.db.session(write=False) as db:
            ids = {
                email: await db.scalar(select(User.id).where(User.email == email))
                for email in (BUYER[0], BRAND_USER)
            }
        path = f"{STORE}/api/v1/conversations/{conversation}/messages"
        async with _tabs(runtime.hub, [user_channel("qala", i) for i in ids.values()]) as queues:

            async def send_one() -> None:
                text = json.dumps({"body": f"bench {secrets.token_hex(4)}"}).encode()
                status, _, answer = await _call(app, "POST", path, auth, text)
                assert status == 201, answer[:300]
                await asyncio.wait_for(drain(), 10)  # every tab has it before the next send

            async def drain() -> None:
                for queue in queues:
                    while (await queue.get())["type"] != "message:new":
                        pass

            for _ in range(20):
                await send_one()
            statements: list[str] = []
            engine = runtime.db.engine.sync_engine

            def seen(*args: object) -> None:
                statements.append(" ".join(str(args[2]).split())[:110])

            event.listen(engine, "before_cursor_execute", seen)
            await send_one()
            event.remove(engine, "before_cursor_execute", seen)
            results["statements"] = statements
            best, wall = float("inf"), float("inf")
            for _ in range(3):
                began, clock = time.process_time(), time.perf_counter()
                for _ in range(sends):
                    await send_one()
                best = min(best, (time.process_time() - began) / sends * 1000)
                wall = min(wall, (time.perf_counter() - clock) / sends * 1000)
            results["cpu_ms"], results["wall_ms"] = best, wall
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(sends):
                    await send_one()
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(25)
    return results


class _tabs:
    """Subscribe TABS queues to each channel, as open sockets do."""

    def __init__(self, hub, channels: list[str]) -> None:
        self.hub, self.channels = hub, channels
        self.stack: contextlib.AsyncExitStack | None = None

    async def __aenter__(self) -> list[asyncio.Queue]:
        self.stack = contextlib.AsyncExitStack()
        queues = []
        for channel in self.channels:
            for _ in range(TABS):
                queues.append(await self.stack.enter_async_context(self.hub.subscribe([channel])))
        return queues

    async def __aexit__(self, *exc: object) -> None:
        assert self.stack is not None
        await self.stack.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sends", type=int, default=300)
    parser.add_argument("--redis", default="", help="use the Redis hub (and rate limiter)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mercato-send-cpu-"))
    env = {
        **os.environ,
        "MERCATO_ENV": "production",
        "MERCATO_VAR_DIR": str(tmp),
        "MERCATO_STORES_DIR": str(qala_only_stores(tmp)),
        "MERCATO_SECRET_KEY": secrets.token_urlsafe(48),
        "MERCATO_DATABASE_URL": "",
        "MERCATO_REDIS_URL": args.redis,
        "MERCATO_LOG_LEVEL": "WARNING",
        "MERCATO_RATE_LIMIT_TOKEN": "1000/minute",
        "MERCATO_RATE_LIMIT_MESSAGES": "100000/minute",
        "MERCATO_RATE_LIMIT_MESSAGES_HOURLY": "1000000/hour",
    }
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in ("migrate", "seed"):
        subprocess.run([*cli, command], env=env, cwd=ROOT, check=True, capture_output=True)
    os.environ.update(env)
    results = asyncio.run(measure(args.sends, args.profile))
    statements = results["statements"]
    assert isinstance(statements, list)
    print(f"Statements of one send ({len(statements)}):")
    for line in statements:
        print("   ", line)
    hub = "Redis hub" if args.redis else "in-memory hub"
    print(
        f"\nCPU per send ({hub}, {2 * TABS} subscribed queues): {results['cpu_ms']:.2f} ms; "
        f"wall {results['wall_ms']:.2f} ms (load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
