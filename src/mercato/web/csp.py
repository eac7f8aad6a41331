"""The Content-Security-Policy, and the one way a route may widen it for its own response.

Every page is served with the strict policy below. A few pages need a third party's script
or frame (a payment provider's hosted checkout). Such a route calls ``allow_sources`` for the
directives it needs; the store middleware then sends a policy with exactly those origins
added, for that response only. Nothing else changes: inline scripts and styles stay
forbidden, and every other response keeps the strict policy.
"""

from __future__ import annotations

import re
from typing import Any

# No inline scripts or styles anywhere: every page works with these and nothing looser.
STRICT_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:", "blob:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'", "ws:", "wss:"),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
# Directives a route may widen. The rest (object-src, base-uri, frame-ancestors, style-src…)
# guard against injection and clickjacking; no third party needs them relaxed.
WIDENABLE = frozenset({"script-src", "frame-src", "connect-src", "img-src", "form-action"})
STATE_KEY = "csp_sources"
# An origin: https://host[:port] with an optional trailing path, no quotes, spaces or ';'.
_ORIGIN = re.compile(r"^https://[a-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$")


def render(directives: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


CSP = render(STRICT_DIRECTIVES)


def allow_sources(request: Any, directive: str, *sources: str) -> None:
    """Add ``sources`` to ``directive`` for this request's response only.

    Only https origins are accepted (never keywords like 'unsafe-inline' or wildcards), and
    only for the directives in ``WIDENABLE``; anything else is a programming error.
    """
    if directive not in WIDENABLE:
        raise ValueError(f"{directive} cannot be widened per route")
    for source in sources:
        if not _ORIGIN.match(source):
            raise ValueError(f"{source!r} is not an https origin")
    listed = _extra_of(request).setdefault(directive, [])
    listed.extend(s for s in sources if s not in listed)


def _extra_of(request: Any) -> dict[str, list[str]]:
    state = request.scope.setdefault("state", {})
    return state.setdefault(STATE_KEY, {})


def policy_for(state: dict[str, Any] | None) -> str:
    """The policy for a response: the strict one, widened by what its route allowed."""
    extra = (state or {}).get(STATE_KEY)
    if not extra:
        return CSP
    directives = dict(STRICT_DIRECTIVES)
    for name, sources in extra.items():
        # A directive absent from the policy falls back to default-src ('self'), so a
        # widened frame-src starts from 'self' too.
        base = directives.get(name, STRICT_DIRECTIVES["default-src"])
        directives[name] = (*base, *(s for s in sources if s not in base))
    return render(directives)
