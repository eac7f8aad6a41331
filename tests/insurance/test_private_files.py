"""Cattle photos and claim documents are private: they are not under the store's public
/files mount, so knowing (or guessing) a key gives nothing; only the owner's, the agent's and
staff routes serve them. Files stored before this change are moved on first read."""

from __future__ import annotations

from mercato.insurance import files
from mercato.insurance import service as insurance_service
from tests.helpers import signin
from tests.insurance.support import PASSWORD, STORE, apply, make_plan, photo_bytes

BASE = f"/{STORE}"


async def test_a_photo_key_is_not_a_public_url(client, db, ins_runtime, customer):
    plan = await make_plan(db)
    policy = await apply(db, ins_runtime, customer, plan)
    [first, _] = await insurance_service.photos_of(db, policy.id)
    # The attack: fetch the stored key through the public files mount
    assert (await client.get(f"{BASE}/files/{first.storage_key}")).status_code == 404
    assert not ins_runtime.storage.local_path(first.storage_key).exists()
    # The owner's route still serves it
    await signin(client, STORE, customer.email, PASSWORD)
    mine = await client.get(f"{BASE}/account/policies/{policy.id}/photos/{first.id}")
    assert mine.status_code == 200 and "no-store" in mine.headers["cache-control"]


async def test_a_file_from_the_old_public_place_is_moved_when_read(ins_runtime):
    key = "private/policies/0/legacy-photo.png"
    await ins_runtime.storage.save(key, photo_bytes())
    assert await files.read_private(ins_runtime, key) == photo_bytes()
    assert not ins_runtime.storage.local_path(key).exists()
    assert await files.private_storage(ins_runtime).read(key) == photo_bytes()
