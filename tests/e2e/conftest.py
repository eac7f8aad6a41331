"""Browser-journey harness (DESIGN.md §8).

A session fixture migrates and seeds fresh store databases, starts the real server
(``mercato serve --with-worker``) on a free loopback port and waits for ``/readyz``;
Playwright drives Debian's Chromium against it. These tests are synchronous and never use
the in-process ``app``/``client`` fixtures: everything goes over HTTP like a real browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import PG_URL, STORES, _pg_admin

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).parent / "screenshots"
SECRET = "e2e-secret-key-that-is-long-enough-0123456789abcdef"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Without this Chromium keeps resolving Google's hosts; keep loopback reachable.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}

if not CHROMIUM.exists():
    pytest.skip(
        "browser journeys need Debian's Chromium at /usr/bin/chromium "
        "(apt-get install -y chromium; .ci/run installs it)",
        allow_module_level=True,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_template(base: str) -> str:
    """A ``{store}`` URL template with e2e database names, recreated empty for this run."""
    import asyncio

    from sqlalchemy.engine import make_url

    url = make_url(base)
    prefix = f"{url.database}_e2e_"
    statements = []
    for slug in STORES:
        name = prefix + slug.replace("-", "_")
        statements += [
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}"',
        ]

    # In a thread: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _pg_admin(base, *statements)).result()
    sentinel = "MERCATODBNAME"
    rendered = url.set(database=sentinel).render_as_string(hide_password=False)
    return rendered.replace(sentinel, prefix + "{store}")


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen = field(repr=False)

    def url(self, path: str) -> str:
        return self.base_url + path

    def run_python(self, *args: str) -> str:
        """Run a helper script with the server's settings (same databases)."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


def _wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(server.url("/readyz"), timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready in {timeout}s:\n{server.log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var = tmp_path_factory.mktemp("e2e-var")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MERCATO_ENV": "development",
        "MERCATO_SECRET_KEY": SECRET,
        "MERCATO_VAR_DIR": str(var),
        "MERCATO_BASE_URL": base_url,
        "MERCATO_REDIS_URL": "",
        "MERCATO_SMTP_HOST": "",  # emails stay in the outbox the journeys read
        # Journeys sign in many times from one address within a minute.
        "MERCATO_RATE_LIMIT_SIGNIN": "200/minute",
        "MERCATO_RATE_LIMIT_SIGNIN_ACCOUNT": "100/minute",
        "MERCATO_RATE_LIMIT_SIGNUP": "100/minute",
        "MERCATO_RATE_LIMIT_RESET": "100/minute",
        "MERCATO_WORKER_POLL_SECONDS": "0.2",
        "PYTHONUNBUFFERED": "1",
    }
    env["MERCATO_DATABASE_URL"] = _pg_template(PG_URL) if PG_URL else ""
    cli = [sys.executable, "-m", "mercato.cli"]
    for command in (["migrate"], ["seed"]):
        # A guard against a hung command, not a speed check: seeding five stores (argon2 at
        # production cost for every demo user) took over 300 s on a loaded two-core CI box.
        done = subprocess.run(  # noqa: S603 - our own CLI
            cli + command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1200
        )
        assert done.returncode == 0, f"mercato {command[0]} failed:\n{done.stdout}\n{done.stderr}"
    log = var / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [*cli, "serve", "--port", str(port), "--with-worker"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    srv = Server(base_url=base_url, env=env, log=log, process=process)
    try:
        _wait_ready(srv)
        yield srv
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium per module: Playwright's sync API runs an event loop in the main
    thread while it is open, which would break async tests run after the journeys. (One
    Chromium for a journeys-only run was tried: the Qala chat journey's send then stalled in
    the browser in 2 of 3 CI runs, never with a browser per module.)"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, server):
    """A factory of isolated browser contexts (separate cookies), closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=server.base_url, viewport=DESKTOP, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page that fails the test on any console error (CSP violations show up there)."""
    p = new_context().new_page()
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.console_errors = errors
    return p


def screenshot(page, name: str) -> list[Path]:
    """Save full-page PNGs of the current page at desktop and mobile widths."""
    SCREENSHOTS.mkdir(exist_ok=True)
    saved = []
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        target = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(target), full_page=True)
        saved.append(target)
    if original:
        page.set_viewport_size(original)
    return saved


def assert_accessible(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Run axe-core in the page; fail on any violation of the given impact levels."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [v for v in results.response["violations"] if v.get("impact") in impacts]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"accessibility violations on {page.url}:\n{report}"
