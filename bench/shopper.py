"""Shopper journeys for the load benchmark: guest carts for wrk's add-to-cart script, and a
full sandbox checkout driven from Python (cart → order → card page → webhook → paid).

A checkout is several requests and waits for the outbox worker to deliver the sandbox's
signed webhook, so it is measured as completed paid checkouts per second with many shoppers
at once, not with wrk.
"""

from __future__ import annotations

import asyncio
import html
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LUA = Path(__file__).with_name("add_to_cart.lua")
CARD = {"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"}
ADDRESS = {
    "first_name": "Bench",
    "last_name": "Shopper",
    "line1": "12 Hudson Street",
    "city": "New York",
    "region": "NY",
    "postal_code": "10013",
    "country": "US",
}
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@dataclass
class CheckoutResult:
    completed: int
    failed: int
    seconds: float
    p50_ms: float
    p99_ms: float
    first_error: str = ""  # what went wrong first, so a failing run says why
    steps_ms: dict[str, float] = field(default_factory=dict)  # median per step: where time goes

    @property
    def steps_text(self) -> str:
        return ", ".join(f"{step} {ms:.0f} ms" for step, ms in self.steps_ms.items())

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


def product_id(store_url: str, slug: str) -> int:
    answer = httpx.get(f"{store_url}/api/v1/products/{slug}", timeout=10)
    answer.raise_for_status()
    return int(answer.json()["id"])


def guest_cart_tokens(store_url: str, count: int) -> list[str]:
    with httpx.Client(base_url=store_url, timeout=10) as client:
        tokens = []
        for _ in range(count):
            answer = client.post("/api/v1/carts")
            answer.raise_for_status()
            tokens.append(answer.json()["token"])
    return tokens


class _Steps:
    """Wall time of each step of one checkout, so a slow run says which step is slow."""

    def __init__(self, into: dict[str, list[float]]) -> None:
        self.into = into
        self.t = time.perf_counter()

    def mark(self, step: str) -> None:
        now = time.perf_counter()
        self.into.setdefault(step, []).append((now - self.t) * 1000)
        self.t = now


async def _one_checkout(
    client: httpx.AsyncClient, product: int, rate_id: int, steps: dict[str, list[float]]
) -> None:
    step = _Steps(steps)
    cart = await client.post("api/v1/carts")
    cart.raise_for_status()
    headers = {"X-Cart-Token": cart.json()["token"]}
    added = await client.post(
        "api/v1/cart/items", json={"product_id": product, "quantity": 1}, headers=headers
    )
    added.raise_for_status()
    step.mark("cart + add")
    placed = await client.post(
        "api/v1/checkout",
        headers=headers,
        json={"email": "bench@example.test", "address": ADDRESS, "shipping_rate_id": rate_id},
    )
    placed.raise_for_status()
    order = placed.json()
    step.mark("place order")
    card_page = await client.get(order["payment_url"])
    card_page.raise_for_status()
    form = {name: html.unescape(value) for name, value in _HIDDEN.findall(card_page.text)}
    # Production cookies are Secure; this plain-http loopback run hands the CSRF cookie back
    # itself, as a browser would over TLS.
    csrf = {"Cookie": f"mercato_csrf={client.cookies.get('mercato_csrf', '')}"}
    paid = await client.post(
        str(card_page.url), data={**form, **CARD, "name": "Bench"}, headers=csrf
    )
    if paid.status_code >= 400:
        paid.raise_for_status()
    step.mark("card page + pay")
    status_url = f"orders/{order['number']}/status.json"
    # The long poll answers as soon as the order's state changes (within 0.1 s), so one
    # request waits for the webhook instead of twenty a second.
    for _ in range(3):  # up to 30 s for the worker to deliver the webhook
        status = await client.get(status_url, params={"key": order["access_key"], "wait": 10})
        status.raise_for_status()
        if status.json()["paid"]:
            step.mark("wait for paid")
            return
    raise TimeoutError(f"order {order['number']} not paid after 30 s")


async def checkouts(
    store_url: str, product: int, *, shoppers: int, duration: float
) -> CheckoutResult:
    """`shoppers` concurrent guests each checking out again and again for `duration` s."""
    async with httpx.AsyncClient(base_url=store_url + "/", timeout=30) as probe:
        quote = await probe.post("api/v1/carts")
        token = quote.json()["token"]
        await probe.post(
            "api/v1/cart/items",
            json={"product_id": product, "quantity": 1},
            headers={"X-Cart-Token": token},
        )
        options = await probe.post(
            "api/v1/checkout/quote", json={"country": "US"}, headers={"X-Cart-Token": token}
        )
        options.raise_for_status()
        rate_id = options.json()["shipping_options"][0]["rate_id"]
    durations: list[float] = []
    steps: dict[str, list[float]] = {}
    failed = 0
    errors: list[str] = []
    started = time.perf_counter()
    deadline = started + duration

    async def shopper() -> None:
        nonlocal failed
        # Each shopper has its own cookies (CSRF for the card page), like a browser.
        async with httpx.AsyncClient(base_url=store_url + "/", timeout=30) as client:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    await _one_checkout(client, product, rate_id, steps)
                    durations.append((time.perf_counter() - t0) * 1000)
                except (httpx.HTTPError, TimeoutError, KeyError) as exc:
                    failed += 1
                    if isinstance(exc, httpx.HTTPStatusError):
                        answer = exc.response
                        said = " ".join(re.findall(r"<p[^>]*>([^<]+)</p>", answer.text))
                        errors.append(f"{answer.status_code} {exc.request.url.path}: {said[:300]}")
                    else:
                        errors.append(repr(exc))

    await asyncio.gather(*(shopper() for _ in range(shoppers)))
    elapsed = time.perf_counter() - started
    data = sorted(durations) or [0.0]
    p99 = data[min(len(data) - 1, round(0.99 * (len(data) - 1)))]
    medians = {name: statistics.median(values) for name, values in steps.items()}
    return CheckoutResult(
        len(durations), failed, elapsed, statistics.median(data), p99, (errors or [""])[0], medians
    )


async def _raise_stock(url: str, product: int, units: int) -> None:
    from sqlalchemy import update

    from mercato.db import create_engine
    from mercato.models import Inventory

    engine = create_engine(url, pool=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(Inventory)
                .where(Inventory.product_id == product)
                .values(quantity=Inventory.quantity + units)
            )
    finally:
        await engine.dispose()


def raise_stock(url: str, product: int, units: int = 10_000_000) -> None:
    """Enough units that the add-to-cart and checkout runs never meet the stock limit."""
    asyncio.run(_raise_stock(url, product, units))
