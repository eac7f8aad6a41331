"""SEO outputs of Audio Tài Lộc: slugs without diacritics, canonical URLs and meta tags,
sitemap.xml with the category landing pages, robots.txt, and schema.org Product/Offer
JSON-LD (brand, rating, promoted price) that the CSP leaves alone because it is data."""

from __future__ import annotations

import json
import re

import pytest

from mercato.models.engagement import Review
from mercato.models.promotions import Promotion
from mercato.seo.text import slugify
from tests.audio import support
from tests.orders.support import make_user

SLUG = "audio-tai-loc"


@pytest.fixture
def audio(app):
    return app.state.runtimes[SLUG]


@pytest.fixture
async def adb(audio):
    async with audio.db.session(write=True) as session:
        yield session


def test_slugs_have_no_diacritics():
    assert slugify("Loa sub hơi Tài Lộc Địa Chấn 18") == "loa-sub-hoi-tai-loc-dia-chan-18"
    assert slugify("Đầu đĩa CD – “Hi-End”") == "dau-dia-cd-hi-end"


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


async def test_product_page_meta_canonical_and_jsonld(client, adb, audio):
    product = await support.product(
        adb,
        "Loa karaoke Tài Lộc Địa Chấn </script><b>",
        price=8_900_000,
        spec={"brand": "JBL", "power_w": 250},
    )
    for rating, status in ((5, "approved"), (4, "approved"), (1, "pending")):
        user = await make_user(adb)
        adb.add(Review(product_id=product.id, user_id=user.id, rating=rating, status=status,
                       title="Nhận xét", body="Âm thanh tốt", author_name=user.name))  # fmt: skip
    adb.add(Promotion(name="Giảm 10 %", kind="percent", value=1000, product_ids=[product.id]))
    await adb.commit()
    assert product.slug == "loa-karaoke-tai-loc-dia-chan-script-b"

    page = await client.get(f"/{SLUG}/san-pham/{product.slug}")
    assert page.status_code == 200
    html = page.text
    canonical = f"http://testserver/{SLUG}/san-pham/{product.slug}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta property="og:type" content="product">' in html
    assert "</script><b>" not in html.split("<body")[0]  # escaped in the head
    data = _jsonld(html)
    assert data["@type"] == "Product" and data["brand"]["name"] == "JBL"
    assert data["offers"]["@type"] == "Offer"
    assert data["offers"]["priceCurrency"] == "VND"
    assert data["offers"]["price"] == "8010000"  # the promoted price, whole đồng
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.5",
        "reviewCount": 2,
    }
    # the spec table and the Vietnamese price format
    assert "Thông số kỹ thuật" in html and "250 W" in html
    assert "8.010.000" in html and "8.900.000" in html
    # The CSP allows scripts only from the site itself: the JSON-LD needs no exception
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]


async def test_sitemap_and_robots(client, adb):
    product = await support.product(adb, "Micro không dây Đức Anh", categories=("Micro",))
    await adb.commit()
    sitemap = await client.get(f"/{SLUG}/sitemap.xml")
    assert sitemap.status_code == 200
    assert f"http://testserver/{SLUG}/san-pham/{product.slug}</loc>" in sitemap.text
    assert f"http://testserver/{SLUG}/danh-muc/micro</loc>" in sitemap.text
    assert f"http://testserver/{SLUG}/tim-kiem</loc>" in sitemap.text
    robots = await client.get(f"/{SLUG}/robots.txt")
    assert f"Sitemap: http://testserver/{SLUG}/sitemap.xml" in robots.text
    assert f"Disallow: /{SLUG}/admin" in robots.text


async def test_category_landing_is_canonical_and_filtered_views_are_noindex(client, adb):
    await support.product(adb, "Tai nghe Sennheiser thử", categories=("Tai nghe",),
                          spec={"brand": "Sennheiser"})  # fmt: skip
    await adb.commit()
    landing = await client.get(f"/{SLUG}/danh-muc/tai-nghe")
    assert landing.status_code == 200
    assert (
        f'<link rel="canonical" href="http://testserver/{SLUG}/danh-muc/tai-nghe">' in landing.text
    )
    assert "noindex" not in landing.text
    filtered = await client.get(f"/{SLUG}/danh-muc/tai-nghe?brand=Sennheiser")
    assert 'content="noindex, follow"' in filtered.text
    assert (await client.get(f"/{SLUG}/danh-muc/khong-co")).status_code == 404
