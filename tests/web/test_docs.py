"""The interactive API docs work under the strict CSP: no inline script, assets served locally."""

from __future__ import annotations

import json
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
    assert 'data-openapi-url="/atelier-arome/api/openapi-3.0.json"' in html


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


async def test_docs_read_an_openapi_30_rendering_of_the_same_api(client):
    # Given the store's true OpenAPI 3.1 document
    original = (await client.get("/atelier-arome/api/openapi.json")).json()
    # When the explorer's 3.0 rendering is fetched
    response = await client.get("/atelier-arome/api/openapi-3.0.json")
    # Then it describes the same operations in the dialect Swagger UI 4 reads
    assert response.status_code == 200
    legacy = response.json()
    assert legacy["openapi"] == "3.0.3"
    assert legacy["info"]["title"] == original["info"]["title"]
    assert legacy["paths"].keys() == original["paths"].keys()
    assert '"type": "null"' not in json.dumps(legacy)


def test_openapi_30_conversion_of_nullable_and_const():
    from mercato.web.docs import as_openapi_30

    schema = {
        "openapi": "3.1.0",
        "components": {
            "schemas": {
                "Thing": {
                    "properties": {
                        "const": {"type": "string"},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "ref": {"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]},
                        "kind": {"const": "a", "examples": ["a"]},
                        "age": {"type": "integer", "exclusiveMinimum": 0},
                    }
                }
            }
        },
    }
    props = as_openapi_30(schema)["components"]["schemas"]["Thing"]["properties"]
    assert props["const"] == {"type": "string"}  # a field name, not the keyword
    assert props["note"] == {"type": "string", "nullable": True}
    assert props["ref"] == {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True}
    assert props["kind"] == {"enum": ["a"], "example": "a"}
    assert props["age"] == {"type": "integer", "minimum": 0, "exclusiveMinimum": True}
