"""Unknown pages get the store's themed 404 page; unknown API paths get JSON."""

from __future__ import annotations

from types import SimpleNamespace


async def test_unknown_page_is_a_themed_404(client):
    # When a page that does not exist is requested in a browser
    response = await client.get("/atelier-arome/no-such-page", headers={"accept": "text/html"})
    # Then the answer is the store's own 404 page, not a bare error
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Page not found" in html
    assert "Atelier Arôme" in html
    assert "/atelier-arome/theme.css" in html
    assert 'class="error-code"' in html
    assert "Traceback" not in html


async def test_unknown_page_in_another_store_uses_that_store(client):
    response = await client.get("/qala/nothing/here")
    assert response.status_code == 404
    assert "Qala" in response.text
    assert "/qala/theme.css" in response.text
    assert "Atelier" not in response.text


async def test_unknown_api_path_is_json_404(client):
    # When an API path that does not exist is requested, even by a browser
    for path in ("/atelier-arome/api/v1/no-such-thing", "/atelier-arome/api/nope"):
        response = await client.get(path, headers={"accept": "text/html"})
        # Then the answer is JSON with a detail message
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["detail"]


async def test_error_page_renders_field_errors(runtime):
    # Given the error template with a field error (as a 422 from a form would produce)
    template = runtime.templates.get_template("errors/error.html")
    # When it is rendered
    html = template.render(
        status=422,
        message="Some fields need attention.",
        errors=[{"field": "email", "message": "Enter an email address."}],
        current_user=None,
        csrf_token="",
        flash=None,
        request=SimpleNamespace(url=SimpleNamespace(path="/atelier-arome/")),
    )
    # Then the heading and the field's message are shown
    assert "Some fields need attention" in html
    assert "<strong>email</strong>: Enter an email address." in html


async def test_a_body_that_is_not_json_is_a_422_naming_the_body(client):
    response = await client.post(
        "/atelier-arome/api/v1/auth/register",
        content=b"{bad",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
