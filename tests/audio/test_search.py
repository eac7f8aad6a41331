"""Vietnamese search: diacritics-insensitive ("loa" finds "Loa", "tai loc" finds "Tài Lộc",
"dan" finds "đàn"), prefixes, filters with facet counts that leave out their own filter,
and shopper input that is never query syntax."""

from __future__ import annotations

import pytest

from mercato.audio import search
from mercato.audio.search import SearchQuery
from mercato.seo.text import fold, slugify, words
from tests.audio import support


def test_fold_strips_vietnamese_marks_and_d_stroke():
    assert fold("Loa Tài Lộc ĐÀN Bầu") == "loa tai loc dan bau"
    assert slugify('Đàn Organ Tài Lộc – 12"') == "dan-organ-tai-loc-12"
    assert words('loa "NEAR( * : AND') == ["loa", "near", "and"]


async def _names(adb, query: SearchQuery) -> list[str]:
    result = await search.run(adb, query)
    cards = await search.cards(adb, result.product_ids)
    return [c.product.name for c in cards]


async def _catalogue(adb):
    await support.product(
        adb,
        "Loa karaoke Tài Lộc TL-K12",
        spec={"brand": "Tài Lộc", "connectivity": "Dây loa", "channels": 1, "power_w": 200},
        categories=("Loa karaoke",),
        price=8_900_000,
    )
    await support.product(
        adb,
        "Loa bluetooth JBL Flip",
        spec={"brand": "JBL", "connectivity": "Bluetooth", "channels": 2},
        categories=("Loa bluetooth", "Loa karaoke"),
        price=2_990_000,
    )
    await support.product(
        adb,
        "Micro không dây Shure",
        spec={"brand": "Shure", "connectivity": "Không dây UHF", "channels": 2},
        categories=("Micro",),
        price=9_900_000,
        description="Bắt giọng tốt khi hát cùng đàn organ.",
    )


async def test_unaccented_queries_find_accented_products(adb):
    # Given speakers and a microphone named in Vietnamese
    await _catalogue(adb)
    # When shoppers type without (or with other) diacritics, and half words
    # Then they find them
    assert sorted(await _names(adb, SearchQuery(q="loa"))) == [
        "Loa bluetooth JBL Flip",
        "Loa karaoke Tài Lộc TL-K12",
    ]
    assert await _names(adb, SearchQuery(q="tai loc")) == ["Loa karaoke Tài Lộc TL-K12"]
    assert await _names(adb, SearchQuery(q="TÀI LỘC")) == ["Loa karaoke Tài Lộc TL-K12"]
    assert await _names(adb, SearchQuery(q="khong day")) == ["Micro không dây Shure"]
    assert await _names(adb, SearchQuery(q="dan")) == ["Micro không dây Shure"]  # đàn
    assert await _names(adb, SearchQuery(q="mic")) == ["Micro không dây Shure"]
    assert await _names(adb, SearchQuery(q="bluetooth jbl")) == ["Loa bluetooth JBL Flip"]


async def test_syntax_in_the_query_is_plain_text(adb):
    await _catalogue(adb)
    for raw in ['"', "NEAR(loa", "loa*", "loa:*", "loa & !", "' OR 1=1 --", "((("]:
        result = await search.run(adb, SearchQuery(q=raw))
        assert result.total >= 0  # no error, whatever it finds


async def test_filters_and_facet_counts(adb):
    await _catalogue(adb)
    # Given the shopper filters "loa" to the karaoke category
    result = await search.run(adb, SearchQuery(q="loa", category="loa-karaoke"))
    assert result.total == 2  # the JBL is linked to karaoke as a second category
    brands = next(f for f in result.facets if f.code == "brand")
    assert {(v, n) for v, _, n in brands.values} == {("Tài Lộc", 1), ("JBL", 1)}
    # When they also pick the brand JBL
    result = await search.run(
        adb, SearchQuery(q="loa", category="loa-karaoke", filters={"brand": "JBL"})
    )
    assert result.total == 1
    # Then the brand facet still counts both brands (its own filter is left out)
    brands = next(f for f in result.facets if f.code == "brand")
    assert {v for v, _, _ in brands.values} == {"Tài Lộc", "JBL"}
    # and the category facet counts the JBL in both of its categories
    assert {(s, n) for s, _, n in result.categories} == {
        ("loa-bluetooth", 1),
        ("loa-karaoke", 1),
    }


async def test_price_filter_and_sort(adb):
    await _catalogue(adb)
    result = await search.run(adb, SearchQuery(min_price=3_000_000, sort="price_desc"))
    names = [c.product.name for c in await search.cards(adb, result.product_ids)]
    assert names == ["Micro không dây Shure", "Loa karaoke Tài Lộc TL-K12"]


async def test_edited_products_are_reindexed_by_the_job(adb, audio):
    from datetime import timedelta

    made = await support.product(adb, "Amply Denon", spec={"brand": "Denon"})
    made.name = "Amply Denon Đời Mới"
    made.updated_at = made.updated_at + timedelta(seconds=5)
    await adb.flush()
    assert made.id in await search.stale_product_ids(adb)
    await search.index_products(adb, await search.stale_product_ids(adb))
    assert await _names(adb, SearchQuery(q="doi moi")) == ["Amply Denon Đời Mới"]


@pytest.mark.parametrize(
    "path", ["tim-kiem?q=loa", "tim-kiem?q=tai+loc&brand=T%C3%A0i+L%E1%BB%99c"]
)
async def test_search_page_and_api(client, adb, path):
    await _catalogue(adb)
    await adb.commit()  # a savepoint of the outer rolled-back transaction
    page = await client.get(f"/audio-tai-loc/{path}")
    assert page.status_code == 200
    assert "Loa karaoke Tài Lộc TL-K12" in page.text
    api = await client.get(f"/audio-tai-loc/api/v1/search?{path.split('?')[1]}")
    assert api.status_code == 200
    body = api.json()
    assert "Loa karaoke Tài Lộc TL-K12" in [i["name"] for i in body["items"]]
    assert body["facets"][0]["code"] == "brand"


async def test_bad_search_parameters_are_ignored_not_errors(client):
    response = await client.get("/audio-tai-loc/tim-kiem?page=abc&gia-tu=xyz&sort=drop&channels=x")
    assert response.status_code == 200
    api = await client.get("/audio-tai-loc/api/v1/search?page=-5&channels=9999999999999999999999")
    assert api.status_code == 200


async def test_a_typo_falls_back_to_trigrams_on_postgresql(adb):
    if adb.get_bind().dialect.name != "postgresql":
        pytest.skip("the trigram fallback is PostgreSQL's (SQLite matches prefixes only)")
    await support.product(adb, "Tai nghe Sennheiser HD 560S", spec={"brand": "Sennheiser"})
    await support.product(adb, "Loa bluetooth JBL Flip", spec={"brand": "JBL"})
    result = await search.run(adb, SearchQuery(q="sennhiser"))
    assert result.typo_fallback
    names = [c.product.name for c in await search.cards(adb, result.product_ids)]
    assert names[0] == "Tai nghe Sennheiser HD 560S"
    exact = await search.run(adb, SearchQuery(q="sennheiser"))
    assert not exact.typo_fallback and exact.total == 1


async def test_facets_speak_the_shoppers_language_on_the_page_and_in_the_api(client, adb):
    # Given speakers with Vietnamese connection values (stored data)
    await _catalogue(adb)
    await adb.commit()
    # When the search is read in Vietnamese (the store default) and in English
    vi_page = (await client.get("/audio-tai-loc/tim-kiem?q=loa")).text
    en_page = (await client.get("/audio-tai-loc/tim-kiem?q=loa&lang=en")).text
    vi_api = (await client.get("/audio-tai-loc/api/v1/search?q=loa")).json()
    en_api = (
        await client.get("/audio-tai-loc/api/v1/search?q=loa", headers={"accept-language": "en"})
    ).json()
    # Then facet names and connection names follow the language; the filter values stay
    assert "<h3>Kết nối</h3>" in vi_page and "Dây loa" in vi_page
    assert "<h3>Connectivity</h3>" in en_page and "Speaker cable" in en_page
    assert "Dây loa" not in en_page.split('class="catalogue-results"')[0]
    vi_facets = {f["code"]: f for f in vi_api["facets"]}
    en_facets = {f["code"]: f for f in en_api["facets"]}
    assert (vi_facets["connectivity"]["label"], en_facets["connectivity"]["label"]) == (
        "Kết nối",
        "Connectivity",
    )
    speaker_cable = [v for v in en_facets["connectivity"]["values"] if v["value"] == "Dây loa"]
    assert speaker_cable and speaker_cable[0]["label"] == "Speaker cable"
    assert any(v["label"] == "Dây loa" for v in vi_facets["connectivity"]["values"])
