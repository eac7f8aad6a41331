"""The request owns the transaction (DESIGN.md §4): commit on success, roll back on 4xx/5xx."""

import httpx
from fastapi import APIRouter
from sqlalchemy import select
from tests.core.support import one_store_app

from mercato.kit.errors import ValidationFailed
from mercato.models import StoreSetting
from mercato.platform.modules import Module, registry
from mercato.web.deps import Db

probe = APIRouter()


@probe.post("/probe/{key}")
async def write_then_maybe_fail(key: str, db: Db, fail: bool = False) -> dict:
    db.add(StoreSetting(key=key, value="written"))
    await db.flush()
    if fail:
        raise ValidationFailed("refused after writing", field="key")
    return {"ok": True}


if "uow-probe" not in registry.names():
    registry.register(Module(name="uow-probe", api=[probe]))


async def test_success_commits_and_a_refusal_leaves_nothing_behind(tmp_path):
    app = await one_store_app(tmp_path, "probe", "Probe", ["uow-probe"])
    runtime = app.state.runtimes["probe"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        # When one request succeeds and another fails after writing
        ok = await client.post("/probe/api/v1/probe/kept")
        refused = await client.post("/probe/api/v1/probe/dropped", params={"fail": "true"})
    # Then the first write is stored and the second left nothing, and the refusal names the field
    assert ok.status_code == 200
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "key"
    async with runtime.db.transaction(write=False) as db:
        keys = set(await db.scalars(select(StoreSetting.key)))
    assert keys == {"kept"}
    await runtime.db.dispose()


async def test_validation_errors_come_back_as_json_with_a_field_path(client):
    response = await client.post("/atelier-arome/api/v1/auth/token", json={"email": 5})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "password" in fields or "email" in fields
