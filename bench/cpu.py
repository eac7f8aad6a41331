"""CPU time per request, measured in-process: a cached catalogue page (gzip and identity), an
add to cart through the API and the API's ``me`` with a bearer token.

CPU time, unlike requests per second under wrk, hardly depends on what else the machine is
doing, so this can run on a shared machine and still compare changes. The app is called as
an ASGI callable (no HTTP parsing, no client in the process), on freshly migrated and seeded
SQLite databases with production settings; each figure is the best of three runs.

    uv run python bench/cpu.py [--requests 3000] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:cpu:begin -->", "<!-- bench:cpu:end -->"
STORE = "/atelier-arome"
# The seed's demo customer (stores/atelier-arome/store.toml).
DEMO_EMAIL, DEMO_PASSWORD = "shopper@atelier-arome.test", "Neroli-Morning-Walk-7"


async def _call(app, method: str, path: str, headers: list, body: bytes = b"") -> tuple:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    out: list[dict] = []
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # the client does not disconnect
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        out.append(message)

    await app(scope, receive, send)
    start = out[0]
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in out[1:])


async def _best(n: int, step) -> float:
    """Best of three runs of n steps: CPU milliseconds per step."""
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for _ in range(n):
            await step()
        best = min(best, (time.process_time() - began) / n * 1000)
    return best


async def measure(n: int) -> dict[str, float]:
    from mercato.app import create_app
    from mercato.config import Settings

    app = create_app(Settings(env="production", secret_key=secrets.token_urlsafe(48)))
    results: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        host = [(b"host", b"127.0.0.1:8000")]
        for label, encoding in (("gzip", b"gzip"), ("identity", b"identity")):
            headers = [*host, (b"accept-encoding", encoding)]
            for _ in range(5):  # the first renders and is kept
                status, answer, body = await _call(app, "GET", f"{STORE}/essences", headers)
            page = gzip.decompress(body) if answer.get(b"content-encoding") == b"gzip" else body
            assert status == 200 and b"</html>" in page, status

            async def hit(headers=headers) -> None:
                await _call(app, "GET", f"{STORE}/essences", headers)

            results[f"GET {STORE}/essences, cached, {label}"] = await _best(n, hit)

        api = [*host, (b"content-type", b"application/json")]
        _, _, body = await _call(app, "GET", f"{STORE}/api/v1/products", api)
        product = json.loads(body)["items"][0]["id"]
        _, _, body = await _call(app, "POST", f"{STORE}/api/v1/carts", api)
        cart = [*api, (b"x-cart-token", json.loads(body)["token"].encode())]
        add = json.dumps({"product_id": product, "quantity": 1}).encode()

        async def add_and_remove() -> None:
            status, _, _ = await _call(app, "POST", f"{STORE}/api/v1/cart/items", cart, add)
            assert status == 200, status
            item = f"{STORE}/api/v1/cart/items/{product}"
            status, _, _ = await _call(app, "DELETE", item, cart)
            assert status == 200, status

        pair = await _best(max(n // 10, 50), add_and_remove)
        results[f"POST {STORE}/api/v1/cart/items + DELETE (add, then remove)"] = pair

        # A demo customer of the seed signs in once (the token endpoint is rate limited).
        sign_in = json.dumps({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}).encode()
        status, _, body = await _call(app, "POST", f"{STORE}/api/v1/auth/token", api, sign_in)
        assert status == 200, (status, body[:200])
        bearer = [*api, (b"authorization", f"Bearer {json.loads(body)['access_token']}".encode())]

        async def me() -> None:
            status, _, _ = await _call(app, "GET", f"{STORE}/api/v1/auth/me", bearer)
            assert status == 200, status

        results[f"GET {STORE}/api/v1/auth/me (bearer token)"] = await _best(max(n // 5, 50), me)
    return results


def report(results: dict[str, float], command: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {when} with `{command}` (SQLite, production settings, one process; CPU time "
        "of the whole process, so SQLite's work is included on whichever thread it runs).",
        "",
        "| request | CPU ms | per core per second |",
        "| --- | ---: | ---: |",
    ]
    for name, ms in results.items():
        lines.append(f"| {name} | {ms:.3f} | {1000 / ms:,.0f} |")
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        text = f"{text.rstrip()}\n\n## CPU per request\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{section}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mercato-cpu-"))
    env = {
        **os.environ,
        "MERCATO_ENV": "production",
        "MERCATO_VAR_DIR": str(tmp),
        "MERCATO_SECRET_KEY": secrets.token_urlsafe(48),
        "MERCATO_DATABASE_URL": "",
        "MERCATO_REDIS_URL": "",
        "MERCATO_LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in ("migrate", "seed"):
        subprocess.run(
            [*cli, command, "--store", "atelier-arome"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    os.environ.update(env)
    results = asyncio.run(measure(args.requests))
    command = ("uv run python bench/cpu.py " + " ".join(sys.argv[1:])).strip()
    section = report(results, command)
    if not args.no_write:
        write_doc(section)
    print(section)


if __name__ == "__main__":
    main()
