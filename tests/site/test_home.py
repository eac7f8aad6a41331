"""The home page draws the catalogue and content; sitemap and robots list the store."""

from __future__ import annotations

from mercato.content import service as content_service
from mercato.models.content import AlchemyStep
from tests.catalog.test_storefront import STORE, make_shop


async def test_home_shows_featured_humours_letters_and_alchemy(client, db, runtime):
    await make_shop(db, runtime)
    await content_service.create_testimonial(
        db, {"author_name": "Isabelle Moreau", "quote": "Time travel for the senses.",
             "is_approved": True, "is_featured": True, "is_illuminated": True,
             "folio_reference": "Folio VII, Entry 12"},
    )  # fmt: skip
    db.add(AlchemyStep(position=1, roman_numeral="I", title="Nigredo • The Blackening",
                       description="Drying.", symbol="♁", duration="7-14 Days"))  # fmt: skip
    await db.flush()
    page = await client.get(f"{STORE}/")
    assert page.status_code == 200
    html = page.text
    assert "Provence Lavender" in html and "Calabrian Bergamot" in html  # featured
    assert "Mysore Sandalwood" not in html.split("Choose by temperament")[0]  # not featured
    assert "☾" in html and "Calming" in html and "2 essences" in html  # humours
    assert "testimonial-illuminated" in html and "Folio VII, Entry 12" in html
    assert "Nigredo • The Blackening" in html and "7-14 Days" in html
    assert page.headers["etag"]


async def test_sitemap_and_robots(client, db, runtime):
    await make_shop(db, runtime)
    await content_service.create_page(db, content_service.PageIn(title="About", is_published=True))
    sitemap = await client.get(f"{STORE}/sitemap.xml")
    assert sitemap.headers["content-type"].startswith("application/xml")
    for path in ("essences/provence-lavender", "humours/calming", "pages/about", "essences</loc>"):
        assert f"http://testserver/atelier-arome/{path}".replace("</loc>", "") in sitemap.text
    robots = await client.get(f"{STORE}/robots.txt")
    assert "Sitemap: http://testserver/atelier-arome/sitemap.xml" in robots.text
    assert "Disallow: /atelier-arome/admin" in robots.text


async def test_other_stores_keep_their_own_home(client):
    page = await client.get("/wholesale/")
    assert page.status_code == 200
    assert "folio-hero" not in page.text


async def test_pages_served_from_the_page_cache_stay_readable_when_gzipped(
    client, db, runtime, monkeypatch
):
    # Given the page cache on, and a home page big enough to be compressed
    monkeypatch.setattr(runtime.settings, "page_cache_seconds", 300)
    await make_shop(db, runtime)
    headers = {"accept-encoding": "gzip"}
    cache = runtime.page_cache
    try:
        await client.get(f"{STORE}/", headers=headers)  # sets the CSRF cookie
        hits = cache.hits
        # When it is asked again (kept, then answered from memory)
        for _ in range(2):
            again = await client.get(f"{STORE}/", headers=headers)
            # Then the body decodes (a stale "content-encoding: gzip" would break it)
            assert again.status_code == 200 and "Essences of the season" in again.text
        assert cache.hits > hits
    finally:
        cache.entries.clear()  # nothing of this test's data may outlive it
