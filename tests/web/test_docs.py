"""The interactive API docs work under the strict CSP: no inline script, assets served locally."""

from __future__ import annotations

import re

import pytest

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


async def test_docs_page_has_no_inline_script(client):
    # Given the Atelier Arôme store
    # When the API docs page is requested
    response = await client.get("/atelier-arome/api/docs")
    # Then it is an HTML page whose scripts are all external files
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<script" in html
    assert not INLINE_SCRIPT.search(html), "an inline <script> would be blocked by the CSP"
    assert " style=" not in html
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert 'data-openapi-url="/atelier-arome/api/openapi.json"' in html


async def test_docs_assets_are_served_by_the_store(client):
    # Given the docs page
    html = (await client.get("/atelier-arome/api/docs")).text
    # When each script and stylesheet it references is fetched
    assets = re.findall(r'(?:src|href)="(/atelier-arome/[^"]+\.(?:js|css))"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("docs-init.js") for a in assets)
    for asset in assets:
        response = await client.get(asset)
        # Then every one is served from this origin
        assert response.status_code == 200, asset


@pytest.mark.parametrize(
    ("slug", "title"), [("atelier-arome", "Atelier Arôme API"), ("qala", "Qala API")]
)
async def test_openapi_document_names_the_store(client, slug, title):
    # When a store's OpenAPI document is requested
    response = await client.get(f"/{slug}/api/openapi.json")
    # Then it is valid JSON describing that store's API
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == title
    assert document["openapi"].startswith("3.")
