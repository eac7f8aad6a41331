"""Blog, projects and home sections: Markdown rendered and sanitised, Vietnamese slugs,
drafts hidden, categories and tags, SEO tags, the public API, admin writing (audited, staff
only), home sections through the home hook, and the demo seed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mercato.blog import service
from mercato.blog.pages import home_features
from mercato.blog.seed import seed_blog
from mercato.config import PROJECT_ROOT
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import AuditEntry
from mercato.models.blog import BlogCategory, BlogPost, Project, SiteSection
from mercato.platform.seeding import SeedContext, ensure_user, sync_roles
from tests.bookings.support import PASSWORD, make_user
from tests.helpers import csrf_from, signin

STORE = "audio-tai-loc"


def test_markdown_is_rendered_and_scripts_and_bad_links_removed():
    html = service.render_markdown(
        "## Loa\n\n**đậm** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://a.vn)\n\n"
        '<img src=x onerror="alert(1)">'
    )
    assert "<h2>Loa</h2>" in html and "<strong>đậm</strong>" in html
    # Raw HTML is shown as text, never as markup; the javascript: link is not a link
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://a.vn"' in html


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Chọn loa karaoke cho phòng khách 20 m²", "chon-loa-karaoke-cho-phong-khach-20-m2"),
        ("Đầu đĩa & Amply đèn", "dau-dia-amply-den"),
    ],
)
def test_slugs_drop_vietnamese_marks(title, slug):
    assert service.slugify(title) == slug


@given(st.text(max_size=80))
def test_any_title_gives_a_url_safe_slug(title):
    slug = service.slugify(title)
    assert slug == "" or service.SLUG.match(slug)


async def _post(db, title="Chọn loa cho phòng nhỏ", **kw):
    return await service.save_post(
        db,
        service.PostIn(
            title=title,
            body=kw.pop("body", "Nội dung **hay**."),
            publish=kw.pop("publish", True),
            **kw,
        ),
    )


async def test_drafts_are_hidden_and_published_posts_listed(client, db):
    await _post(db, "Bài nháp chưa đăng", publish=False)
    published = await _post(db, "Bài đã đăng về loa", tags="loa, karaoke")
    page = await client.get(f"/{STORE}/blog")
    assert (
        page.status_code == 200
        and "Bài đã đăng về loa" in page.text
        and "Bài nháp" not in page.text
    )
    assert (await client.get(f"/{STORE}/blog/bai-nhap-chua-dang")).status_code == 404
    post_page = await client.get(f"/{STORE}/blog/{published.slug}")
    assert "<strong>hay</strong>" in post_page.text
    assert (
        f'rel="canonical" href="http://testserver/{STORE}/blog/{published.slug}"' in post_page.text
    )
    tagged = await client.get(f"/{STORE}/blog", params={"tag": "karaoke"})
    assert "Bài đã đăng về loa" in tagged.text
    assert (
        "Bài đã đăng về loa"
        not in (await client.get(f"/{STORE}/blog", params={"tag": "micro"})).text
    )


async def test_categories_filter_posts(client, db):
    category = BlogCategory(slug="bao-tri-test", name="Bảo trì")
    db.add(category)
    await db.flush()
    await _post(db, "Vệ sinh amply", category_id=category.id)
    await _post(db, "Chọn micro")
    page = await client.get(f"/{STORE}/blog/chuyen-muc/bao-tri-test")
    assert "Vệ sinh amply" in page.text and "Chọn micro" not in page.text
    assert (await client.get(f"/{STORE}/blog/chuyen-muc/khong-co")).status_code == 404


async def test_post_rules(db):
    await _post(db, "Một tiêu đề")
    with pytest.raises(Conflict):
        await _post(db, "Một tiêu đề")
    with pytest.raises(ValidationFailed) as refused:
        await _post(db, "ab")
    assert refused.value.field == "title"
    with pytest.raises(ValidationFailed) as refused:
        await _post(db, "Tiêu đề hợp lệ", slug="Có Dấu")
    assert refused.value.field == "slug"
    future = await service.save_post(
        db,
        service.PostIn(title="Bài hẹn giờ", body="x", publish=True),
        now=utcnow() + timedelta(days=1),
    )
    with pytest.raises(NotFound):
        await service.published_post(db, future.slug)


async def test_projects_pages_and_api(client, db):
    db.add(
        Project(
            slug="phong-karaoke-test",
            title="Phòng karaoke thử",
            body="Mô tả",
            body_html="<p>Mô tả</p>",
            location="Quận 1",
            products_used=[{"name": "Loa 12 inch", "quantity": 2}],
        )
    )
    await db.flush()
    listed = await client.get(f"/{STORE}/du-an")
    assert "Phòng karaoke thử" in listed.text
    page = await client.get(f"/{STORE}/du-an/phong-karaoke-test")
    assert "Loa 12 inch" in page.text
    api = await client.get(f"/{STORE}/api/v1/projects/phong-karaoke-test")
    assert api.status_code == 200 and api.json()["products_used"][0]["name"] == "Loa 12 inch"
    assert (await client.get(f"/{STORE}/api/v1/projects/none")).status_code == 404


async def test_posts_api_lists_only_published(client, db):
    await _post(db, "Bài API công khai")
    await _post(db, "Bài API nháp", publish=False)
    found = await client.get(f"/{STORE}/api/v1/posts")
    titles = [p["title"] for p in found.json()["items"]]
    assert "Bài API công khai" in titles and "Bài API nháp" not in titles
    one = await client.get(f"/{STORE}/api/v1/posts/bai-api-cong-khai")
    assert "body_html" in one.json()
    assert (await client.get(f"/{STORE}/api/v1/posts/bai-api-nhap")).status_code == 404


async def _user(db, runtime, roles):
    n = await make_user(db)
    user, _ = await ensure_user(
        db,
        await sync_roles(db, runtime.modules),
        email=f"bl-{n.id}@example.vn",
        password=PASSWORD,
        name="B",
        role_names=roles,
    )
    return user


async def test_staff_write_posts_and_sections_customers_cannot(client, db, runtime):
    customer = await _user(db, runtime, ["customer"])
    await signin(client, STORE, customer.email, PASSWORD)
    assert (await client.get(f"/{STORE}/admin/blog")).status_code in (403, 404)
    client.cookies.clear()
    staff = await _user(db, runtime, ["staff"])
    await signin(client, STORE, staff.email, PASSWORD)
    token = await csrf_from(client, f"/{STORE}/admin/blog/new")
    made = await client.post(
        f"/{STORE}/admin/blog/new",
        data={
            "csrf_token": token,
            "title": "Bài từ quản trị",
            "body": "Xin chào <script>x</script>",
            "publish": "1",
            "tags": "loa",
        },
    )
    assert made.status_code == 303
    post = await db.scalar(select(BlogPost).where(BlogPost.slug == "bai-tu-quan-tri"))
    assert post.status == "published" and "<script" not in post.body_html and post.tags == ["loa"]
    assert await db.scalar(select(AuditEntry).where(AuditEntry.action == "blog.post.save"))
    bad = await client.post(
        f"/{STORE}/admin/blog/new", data={"csrf_token": token, "title": "x", "body": ""}
    )
    assert bad.status_code == 422 and 'id="title-error"' in bad.text
    section = await client.post(
        f"/{STORE}/admin/site-sections",
        data={
            "csrf_token": token,
            "title": "Khuyến mãi tháng 12",
            "kind": "banner",
            "link_url": "/du-an",
            "is_active": "1",
        },
    )
    assert section.status_code == 303
    unsafe = await client.post(
        f"/{STORE}/admin/site-sections",
        data={
            "csrf_token": token,
            "title": "Lừa",
            "kind": "banner",
            "link_url": "javascript:alert(1)",
        },
    )
    assert unsafe.status_code == 422


async def test_home_hook_gives_active_sections_in_order(db, app):
    db.add_all(
        [
            SiteSection(kind="section", title="B", position=2),
            SiteSection(kind="banner", title="A", position=1),
            SiteSection(kind="section", title="Ẩn", position=0, is_active=False),
        ]
    )
    await db.flush()

    class _Req:
        class state:  # noqa: N801 - the shape of request.state
            runtime = app.state.runtimes[STORE]

    features = await home_features(db, _Req())
    assert [s.title for s in features["site_banners"]] == ["A"]
    assert [s.title for s in features["site_sections"]] == ["B"]


async def test_seed_writes_six_posts_four_projects_with_pictures(db, runtime):
    ctx = SeedContext(
        config=runtime.config,
        settings=runtime.settings,
        seed_dir=PROJECT_ROOT / "stores" / STORE / "seed",
        storage=runtime.storage,
    )
    await seed_blog(db, ctx)
    await seed_blog(db, ctx)  # idempotent
    assert await db.scalar(select(func.count()).select_from(BlogPost)) == 6
    assert await db.scalar(select(func.count()).select_from(Project)) == 4
    project = await db.scalar(select(Project).order_by(Project.id))
    assert project.gallery and await runtime.storage.read(project.gallery[0]["key"])
    post = await db.scalar(select(BlogPost).order_by(BlogPost.id))
    assert (await runtime.storage.read(post.cover_key))[:4] == b"RIFF"
