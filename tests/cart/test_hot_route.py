"""Add to cart answers before FastAPI's routing (mercato.web.hot_routes) with exactly the
answers of its FastAPI route; anything it does not fully understand goes the ordinary way."""

from __future__ import annotations

import json

import fastapi.routing
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from mercato.kit.errors import ValidationFailed
from mercato.web.hot_routes import HotRoutes
from tests.cart.support import STORE, make_product

API = f"{STORE}/api/v1"
# FastAPI parses any JSON media type; the hot route takes only application/json, so this one
# reaches the ordinary route: the same request answered both ways.
ORDINARY = "application/merchant+json"


@pytest.fixture
def solved(monkeypatch) -> list[int]:
    """How many requests FastAPI solved dependencies for (its routes do, hot routes do not)."""
    calls: list[int] = []
    original = fastapi.routing.solve_dependencies

    async def counting(*args, **kwargs):
        calls.append(1)
        return await original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    return calls


async def _post(client, body: bytes | dict, content_type: str, headers=None, params=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post(
        f"{API}/cart/items",
        content=data,
        params=params,
        headers={"content-type": content_type, **(headers or {})},
    )


async def _two_carts(client) -> tuple[dict, dict]:
    tokens = [(await client.post(f"{API}/carts")).json()["token"] for _ in range(2)]
    return {"X-Cart-Token": tokens[0]}, {"X-Cart-Token": tokens[1]}


async def test_hot_and_ordinary_routes_answer_alike(client, db, solved):
    product = await make_product(db, name="Hot Vetiver", stock=3, price=3100)
    hot, ordinary = await _two_carts(client)
    cases = [
        ({"product_id": product.id, "quantity": 2}, None),  # added
        ({"product_id": product.id, "quantity": 2}, None),  # refused: only 3 left
        ({"product_id": 999_999}, None),  # refused: not sold here
        ({"product_id": product.id, "quantity": 1}, {"currency": "EUR"}),  # another currency
    ]
    for body, params in cases:
        solved.clear()
        a = await _post(client, body, "application/json", hot, params)
        assert solved == []  # answered before FastAPI's routing
        b = await _post(client, body, ORDINARY, ordinary, params)
        assert solved  # the same request the ordinary way
        assert (a.status_code, a.json()) == (b.status_code, b.json()), body
        assert a.headers["content-type"] == b.headers["content-type"] == "application/json"
    assert [c[0] for c in cases] and a.status_code == 200 and a.json()["count"] == 3


@pytest.mark.parametrize(
    ("body", "headers", "params", "status", "field"),
    [
        (b"{not json", {}, None, 422, "body"),
        (b'{"product_id": 1, "quantity": 0}', {}, None, 422, "quantity"),
        (b'{"product_id": 1, "colour": "red"}', {}, None, 422, "colour"),
        (b'{"product_id": 1}', {}, {"currency": "EURO"}, 422, "currency"),
        (b'{"product_id": 1}', {"X-Cart-Token": ""}, None, 401, None),
        (b'{"product_id": 1}', {"Authorization": "Bearer forged.token.here"}, None, 401, None),
    ],
)
async def test_what_the_hot_route_does_not_understand_gets_fastapis_answer(
    client, db, solved, body, headers, params, status, field
):
    product = await make_product(db, stock=5)
    token = (await client.post(f"{API}/carts")).json()["token"]
    body = body.replace(b'"product_id": 1', f'"product_id": {product.id}'.encode())
    answer = await _post(
        client, body, "application/json", {"X-Cart-Token": token, **headers}, params
    )
    assert answer.status_code == status, answer.text
    assert solved  # FastAPI answered it
    if field:
        assert answer.json()["errors"][0]["field"] == field
    # Nothing was added by the refused request.
    cart = await client.get(f"{API}/cart", headers={"X-Cart-Token": token})
    assert cart.json()["count"] == 0


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _echo_app(seen: list[bytes]) -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        seen.append(await request.body())
        return JSONResponse({"ordinary": True})

    app = Starlette()
    app.add_route("/things", echo, methods=["POST"])
    return app


async def test_a_declined_request_reaches_the_app_with_its_whole_body():
    seen: list[bytes] = []

    async def decline(request: Request, body: bytes):
        assert body == b"x" * 100
        return None

    app = HotRoutes(_echo_app(seen), {("POST", "/things"): decline})
    async with _client(app) as client:
        answer = await client.post("/things", content=b"x" * 100)
    assert answer.json() == {"ordinary": True} and seen == [b"x" * 100]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_body_too_large_for_a_hot_route_goes_the_ordinary_way_whole(streamed):
    seen: list[bytes] = []
    called: list[int] = []

    async def handler(request: Request, body: bytes):
        called.append(1)

    big = b"y" * 100_000

    async def pieces():
        for i in range(0, len(big), 4096):
            yield big[i : i + 4096]

    app = HotRoutes(_echo_app(seen), {("POST", "/things"): handler})
    async with _client(app) as client:
        answer = await client.post("/things", content=pieces() if streamed else big)
    assert answer.json() == {"ordinary": True} and seen == [big] and called == []


async def test_a_domain_refusal_is_answered_as_the_store_would():
    async def refuse(request: Request, body: bytes):
        raise ValidationFailed("At most 99 of one product.", field="quantity")

    app = HotRoutes(_echo_app([]), {("POST", "/api/things"): refuse})
    async with _client(app) as client:
        answer = await client.post("/api/things", content=b"{}")
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "quantity", "message": "At most 99 of one product.", "code": "ValidationFailed"}
    ]


async def test_the_hot_route_answers_when_the_store_is_served_at_the_root(
    app, settings, db, solved
):
    from mercato.app import create_app

    single = create_app(settings, only_store="atelier-arome")  # `mercato serve --store`
    single.state.runtimes["atelier-arome"].db = app.state.runtimes["atelier-arome"].db
    product = await make_product(db, stock=5)
    transport = httpx.ASGITransport(app=single)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        token = (await client.post("/api/v1/carts")).json()["token"]
        solved.clear()
        added = await client.post(
            "/api/v1/cart/items", json={"product_id": product.id}, headers={"X-Cart-Token": token}
        )
    assert added.status_code == 200 and added.json()["count"] == 1
    assert solved == []
