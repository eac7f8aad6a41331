"""The per-route CSP widening: only https origins, only some directives, only the response
whose route asked; every other response keeps the strict policy."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from mercato.web import csp


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [], "state": {}})


def test_without_a_request_for_more_the_policy_is_strict():
    assert csp.policy_for({}) == csp.CSP
    assert csp.policy_for(None) == csp.CSP
    assert "script-src 'self';" in csp.CSP and "frame-ancestors 'none'" in csp.CSP


def test_a_route_adds_origins_to_the_directives_it_names():
    request = _request()
    csp.allow_sources(request, "script-src", "https://checkout.example.com/v1/checkout.js")
    csp.allow_sources(request, "frame-src", "https://api.example.com")
    csp.allow_sources(request, "frame-src", "https://api.example.com")  # repeated: once
    policy = csp.policy_for(request.scope["state"])
    assert "script-src 'self' https://checkout.example.com/v1/checkout.js;" in policy
    assert policy.count("https://api.example.com") == 1
    assert "frame-src 'self' https://api.example.com" in policy
    # The rest is untouched
    assert "style-src 'self';" in policy and "object-src 'none'" in policy


@pytest.mark.parametrize(
    ("directive", "source"),
    [
        ("script-src", "'unsafe-inline'"),
        ("script-src", "*"),
        ("script-src", "http://checkout.example.com"),
        ("script-src", "https://evil.example.com; script-src *"),
        ("style-src", "https://fonts.example.com"),
        ("frame-ancestors", "https://embedder.example.com"),
        ("object-src", "https://plugins.example.com"),
    ],
)
def test_keywords_wildcards_and_guarding_directives_are_refused(directive, source):
    with pytest.raises(ValueError):
        csp.allow_sources(_request(), directive, source)


async def test_other_pages_keep_the_strict_policy(client):
    page = await client.get("/atelier-arome/")
    assert page.headers["content-security-policy"] == csp.CSP
