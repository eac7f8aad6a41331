"""Helpers shared by tests that drive the HTML pages (forms carry a CSRF token)."""

from __future__ import annotations

import re

import httpx

_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_in(html: str) -> str:
    """The csrf_token hidden input's value in a rendered page."""
    match = _CSRF_INPUT.search(html)
    assert match, "no csrf_token hidden input in the page"
    return match.group(1)


async def csrf_from(client: httpx.AsyncClient, url: str) -> str:
    """GET a form page (which also sets the CSRF cookie) and return its csrf_token."""
    page = await client.get(url)
    assert page.status_code == 200, (url, page.status_code, page.text[:300])
    return csrf_in(page.text)


async def signin(client: httpx.AsyncClient, store_slug: str, email: str, password: str) -> None:
    """Sign in through the real form; the client keeps the session cookie."""
    url = f"/{store_slug}/account/signin"
    token = await csrf_from(client, url)
    response = await client.post(
        url, data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 303, (response.status_code, response.text[:500])
