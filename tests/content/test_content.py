"""Content: Markdown pages (sanitised), footer links, testimonials and steps, and their admin
with permissions, CSRF and audit rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mercato.content import service
from mercato.models import AuditEntry
from mercato.models.content import AlchemyStep, Page
from mercato.models.engagement import Testimonial
from tests.admin.conftest import ADMIN, admin_csrf, make_user, sign_in_as

STORE = "/atelier-arome"


def test_markdown_is_rendered_and_sanitised():
    html = service.render_markdown(
        "## Care\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://a.test)"
        "\n\n| a | b |\n| - | - |\n| 1 | 2 |"
    )
    assert "<h2>Care</h2>" in html and "<table>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html
    assert '<a href="https://a.test" rel="noopener noreferrer">ok</a>' in html


async def test_published_pages_are_public_drafts_are_not(client, db):
    await service.create_page(
        db, service.PageIn(title="Shipping", body="We ship **by hand**.", is_published=True)
    )
    await service.create_page(db, service.PageIn(title="Secret plans", is_published=False))
    page = await client.get(f"{STORE}/pages/shipping")
    assert page.status_code == 200 and "<strong>by hand</strong>" in page.text
    assert 'href="/atelier-arome/pages/shipping"' in page.text  # footer link
    assert "Secret plans" not in page.text
    assert (await client.get(f"{STORE}/pages/secret-plans")).status_code == 404


async def test_page_rules(db):
    await service.create_page(db, service.PageIn(title="About"))
    with pytest.raises(service.ValidationFailed) as err:
        await service.create_page(db, service.PageIn(title="About us", slug="about"))
    assert err.value.field == "slug"
    with pytest.raises(service.ValidationFailed) as err:
        await service.create_page(db, service.PageIn(title="  "))
    assert err.value.field == "title"


async def test_home_quotes_approved_featured_testimonials_illuminated_first(db):
    await service.create_testimonial(
        db, {"author_name": "A", "quote": "Plain.", "is_approved": True, "is_featured": True}
    )
    await service.create_testimonial(
        db,
        {
            "author_name": "B",
            "quote": "Gold.",
            "is_approved": True,
            "is_featured": True,
            "is_illuminated": True,
        },
    )
    await service.create_testimonial(
        db, {"author_name": "C", "quote": "Waiting.", "is_featured": True}
    )
    shown = await service.shown_testimonials(db)
    assert [t.author_name for t in shown] == ["B", "A"]


@pytest.fixture
async def roles(db, runtime):
    from mercato.platform.seeding import sync_roles

    return await sync_roles(db, runtime.modules)


async def test_staff_edit_pages_and_testimonials_with_audit(client, db, roles):
    editor = await make_user(db, roles, "editor@example.test", ["staff"])
    await sign_in_as(client, db, editor)
    token = await admin_csrf(client, f"{ADMIN}/content")
    # Given an invalid form, the page re-renders with the message and writes nothing
    bad = await client.post(f"{ADMIN}/content/pages/new", data={"csrf_token": token, "title": ""})
    assert bad.status_code == 422 and "Title is required." in bad.text
    assert await db.scalar(select(Page.id)) is None
    # When a page is created and a testimonial added and illuminated
    done = await client.post(
        f"{ADMIN}/content/pages/new",
        data={
            "csrf_token": token,
            "title": "Returns",
            "body": "Within 30 days.",
            "is_published": "1",
        },
    )
    assert done.status_code == 303
    page = await db.scalar(select(Page).where(Page.slug == "returns"))
    assert page.is_published and page.published_at is not None
    await client.post(
        f"{ADMIN}/content/testimonials/new",
        data={"csrf_token": token, "author_name": "Ada", "quote": "Lovely.", "is_approved": "1"},
    )
    t = await db.scalar(select(Testimonial).where(Testimonial.author_name == "Ada"))
    await client.post(
        f"{ADMIN}/content/testimonials/{t.id}",
        data={"csrf_token": token, "author_name": "Ada", "quote": "Lovely.", "is_approved": "1",
              "is_featured": "1", "is_illuminated": "1", "folio_reference": "Folio II, Entry 3"},
    )  # fmt: skip
    await db.refresh(t)
    assert t.is_illuminated and t.folio_reference == "Folio II, Entry 3"
    # Then every change has its audit row with who did it
    actions = list(
        await db.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == editor.id))
    )
    assert actions == [
        "content.page.create",
        "content.testimonial.create",
        "content.testimonial.update",
    ]


async def test_steps_are_edited_in_place(client, db, roles):
    step = AlchemyStep(position=1, roman_numeral="I", title="Nigredo", description="Dark.")
    db.add(step)
    await db.flush()
    admin = await make_user(db, roles, "boss@example.test", ["admin"])
    await sign_in_as(client, db, admin)
    token = await admin_csrf(client, f"{ADMIN}/content/steps/{step.id}")
    response = await client.post(
        f"{ADMIN}/content/steps/{step.id}",
        data={"csrf_token": token, "roman_numeral": "I", "title": "Nigredo • The Blackening",
              "description": "Drying.", "duration": "7-14 Days"},
    )  # fmt: skip
    assert response.status_code == 303
    await db.refresh(step)
    assert step.title == "Nigredo • The Blackening" and step.duration == "7-14 Days"
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "content.step.update"))
    assert entry.before["title"] == "Nigredo" and entry.after["duration"] == "7-14 Days"


async def test_customers_and_forged_posts_are_refused(client, db, roles):
    shopper = await make_user(db, roles, "shopper@example.test", ["customer"])
    await sign_in_as(client, db, shopper)
    assert (await client.get(f"{ADMIN}/content")).status_code in (403, 404)
    editor = await make_user(db, roles, "editor@example.test", ["staff"])
    await sign_in_as(client, db, editor)
    forged = await client.post(f"{ADMIN}/content/pages/new", data={"title": "Forged"})
    assert forged.status_code == 403
    assert await db.scalar(select(Page.id)) is None
