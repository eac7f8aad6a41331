"""The admin's project form (installation showcases): create with a cover, a gallery and
the products used, edit and remove pictures (audited); a bad form writes neither a row nor
a file; people without content.blog are refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from mercato.models import AuditEntry, User
from mercato.models.blog import Project
from mercato.platform.seeding import ensure_user, sync_roles
from tests.bookings.support import PASSWORD, make_user
from tests.helpers import csrf_from, signin
from tests.promotions import support

STORE = "audio-tai-loc"
ADMIN = f"/{STORE}/admin"


def _png(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 36), colour).save(out, "PNG")
    return out.getvalue()


async def _signed_in(client, db, runtime, role: str) -> User:
    n = await make_user(db)
    user, _ = await ensure_user(
        db,
        await sync_roles(db, runtime.modules),
        email=f"proj-{role}-{n.id}@example.vn",
        password=PASSWORD,
        name="Biên tập",
        role_names=[role],
    )
    await signin(client, STORE, user.email, PASSWORD)
    return user


def _files_in(runtime) -> set[str]:
    root = runtime.storage.root / "projects"
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


async def test_staff_create_a_project_with_pictures_and_edit_it(client, db, runtime):
    speaker = await support.product(db)
    await _signed_in(client, db, runtime, "staff")
    token = await csrf_from(client, f"{ADMIN}/projects/new")
    made = await client.post(
        f"{ADMIN}/projects/new",
        data={
            "csrf_token": token,
            "title": "Phòng karaoke gia đình ở Thủ Đức",
            "location": "TP. Thủ Đức",
            "completed_on": "2026-10-15",
            "body": "## Yêu cầu\n\nPhòng **20 m²** <script>x</script>",
            "products": speaker.sku,
            "is_published": "1",
        },
        files=[
            ("cover", ("bia.png", _png(), "image/png")),
            ("gallery", ("a.png", _png((0, 90, 0)), "image/png")),
            ("gallery", ("b.png", _png((0, 0, 90)), "image/png")),
        ],
    )
    assert made.status_code == 303, made.text[:800]
    row = await db.scalar(select(Project).where(Project.slug == "phong-karaoke-gia-dinh-o-thu-duc"))
    assert row.is_published and row.completed_on.isoformat() == "2026-10-15"
    assert row.products_used == [{"name": speaker.name, "sku": speaker.sku}]
    assert "<script" not in row.body_html and "<h2>" in row.body_html
    assert row.cover_key.startswith("projects/") and len(row.gallery) == 2
    for key in [row.cover_key, *(g["key"] for g in row.gallery)]:
        # stored re-encoded (JPEG, no metadata) under the public storage
        assert runtime.storage.local_path(key).read_bytes()[:2] == b"\xff\xd8"
    assert await db.scalar(select(AuditEntry).where(AuditEntry.action == "project.create"))
    public = await client.get(f"/{STORE}/du-an/{row.slug}")
    assert public.status_code == 200 and speaker.name in public.text

    first, second = (g["key"] for g in row.gallery)
    edited = await client.post(
        f"{ADMIN}/projects/{row.id}",
        data={
            "csrf_token": token,
            "title": row.title,
            "slug": row.slug,
            "body": "Đã sửa",
            "remove": first,
        },
    )
    assert edited.status_code == 303
    await db.refresh(row)
    assert [g["key"] for g in row.gallery] == [second] and not row.is_published
    assert row.products_used == [] and row.cover_key.startswith("projects/")
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "project.update"))
    assert first in entry.before["gallery"] and first not in entry.after["gallery"]


async def test_a_bad_project_form_writes_neither_a_row_nor_a_file(client, db, runtime):
    await _signed_in(client, db, runtime, "staff")
    token = await csrf_from(client, f"{ADMIN}/projects/new")
    files_before = _files_in(runtime)
    bad = await client.post(
        f"{ADMIN}/projects/new",
        data={
            "csrf_token": token,
            "title": "Hội trường 300 chỗ",
            "products": "KHONG-CO",
            "completed_on": "30/11/2026",
        },
        files=[
            ("cover", ("bia.png", _png(), "image/png")),
            ("gallery", ("virus.png", b"MZ\x90\x00 not a picture", "image/png")),
        ],
    )
    assert bad.status_code == 422
    for name in ("products", "completed_on", "gallery"):
        assert f'id="{name}-error"' in bad.text, name
    assert 'value="KHONG-CO"' in bad.text
    assert not await db.scalar(select(Project).where(Project.title == "Hội trường 300 chỗ"))
    assert _files_in(runtime) == files_before


@pytest.mark.parametrize("role", ["customer", "technician"])
async def test_people_without_content_blog_are_refused(client, db, runtime, role):
    await _signed_in(client, db, runtime, role)
    assert (await client.get(f"{ADMIN}/projects")).status_code in (403, 404)
    token = await csrf_from(client, f"/{STORE}/account/profile")
    refused = await client.post(
        f"{ADMIN}/projects/new", data={"csrf_token": token, "title": "Dự án lạ"}
    )
    assert refused.status_code in (403, 404)
    assert not await db.scalar(select(Project).where(Project.title == "Dự án lạ"))
