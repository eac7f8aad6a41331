"""Which language a request is answered in, and the Jinja side of translation.

Pages: ``?lang=`` (remembered in the ``mercato_lang`` cookie scoped to the store path) →
the cookie → the store's default (the language of ``locale`` in store.toml). Pages ignore
``Accept-Language``: a page's language depends only on its URL and the cookie, so the
anonymous page cache can key on them. The JSON API has no cookie: ``?lang=`` →
``Accept-Language`` → the default.

One Jinja environment serves every language of a store: its gettext callables read the
language from a context variable (``mercato.kit.i18n``), so switching costs one lookup per
message instead of a second template cache per language.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from babel import Locale
from jinja2 import pass_context
from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.kit import i18n

if TYPE_CHECKING:
    from jinja2 import Environment
    from starlette.requests import Request

    from mercato.platform.runtime import StoreRuntime
    from mercato.platform.stores import StoreConfig

# FastAPI's own validation messages that shoppers meet most; error answers translate them.
VALIDATION_MESSAGES = (
    i18n.N_("Field required"),
    i18n.N_("value is not a valid email address: An email address must have an @-sign."),
    i18n.N_("Input should be a valid integer, unable to parse string as an integer"),
)

LANGUAGE_COOKIE = "mercato_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def primary_language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def store_languages(config: StoreConfig) -> list[str]:
    """The store's languages, its default first (from ``locale`` when ``languages`` omits it)."""
    default = primary_language(config.locale)
    rest = [primary_language(lang) for lang in config.languages]
    return [default, *(lang for lang in dict.fromkeys(rest) if lang != default)]


def locale_for(config: StoreConfig, language: str) -> str:
    """The formatting locale of ``language`` here: the store's own locale for its default
    language ("vi-VN", "en-IN", "en-BD"), else the bare language ("en")."""
    return config.locale if language == primary_language(config.locale) else language


def language_name(language: str) -> str:
    """A language named in itself ("Tiếng Việt", "English"): what a reader looks for."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def parse_accept_language(header: str, offered: list[str]) -> str | None:
    """The offered language with the highest q in an ``Accept-Language`` header."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        language = primary_language(tag.strip())
        if language not in offered:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if quality <= 0:
            continue
        candidate = (-quality, position, language)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


def _cookie_value(scope: Scope, name: str) -> str | None:
    for header, value in scope["headers"]:
        if header == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: S112 - an unreadable cookie header counts as absent
                continue
            if name in jar:
                return jar[name].value
    return None


def _header(scope: Scope, name: bytes) -> str:
    for header, value in scope["headers"]:
        if header == name:
            return value.decode("latin-1")
    return ""


class LanguageMiddleware:
    """Puts the request's language in ``scope["state"]`` and the context variable, sets
    ``Content-Language``, and remembers a ``?lang=`` choice on pages in a cookie."""

    def __init__(self, app: ASGIApp, runtime: StoreRuntime) -> None:
        self.app = app
        self.runtime = runtime
        self.languages = store_languages(runtime.config)
        self.default = self.languages[0]
        self.api_prefix = runtime.path("api/")

    def choose(self, scope: Scope) -> tuple[str, bool]:
        """(language, remember it in the cookie)."""
        if len(self.languages) == 1:
            return self.default, False
        query = scope.get("query_string", b"")
        if b"lang=" in query:
            for key, value in parse_qsl(query.decode("latin-1")):
                if key == "lang" and primary_language(value) in self.languages:
                    return primary_language(value), True
        is_api = scope["type"] == "http" and scope["path"].startswith(self.api_prefix)
        if is_api:
            header = _header(scope, b"accept-language")
            return (parse_accept_language(header, self.languages) or self.default), False
        cookie = _cookie_value(scope, LANGUAGE_COOKIE)
        if cookie in self.languages:
            return cookie, False
        return self.default, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        language, from_query = self.choose(scope)
        is_api = scope["type"] == "http" and scope["path"].startswith(self.api_prefix)
        remember = from_query and not is_api and _cookie_value(scope, LANGUAGE_COOKIE) != language
        scope.setdefault("state", {})["language"] = language
        token = i18n.set_language(language, locale_for(self.runtime.config, language))
        multilingual = len(self.languages) > 1

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-language" not in headers:
                    headers.append("content-language", language)
                if multilingual and is_api:
                    headers.append("vary", "Accept-Language")
                if remember:
                    headers.append("set-cookie", self.cookie(language))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            i18n.reset_language(token)

    def cookie(self, language: str) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[LANGUAGE_COOKIE] = language
        morsel = cookie[LANGUAGE_COOKIE]
        morsel["path"] = self.runtime.path("")
        morsel["max-age"] = COOKIE_MAX_AGE
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if not self.runtime.settings.is_development:
            morsel["secure"] = True
        return morsel.OutputString()


def request_language(request: Request) -> str:
    language = getattr(request.state, "language", None)
    return language or store_languages(request.state.runtime.config)[0]


def switch_links(request: Request) -> list[dict[str, object]]:
    """The header's language links: this page with ``lang`` replaced, current one marked."""
    runtime: StoreRuntime = request.state.runtime
    current = request_language(request)
    query = [(k, v) for k, v in parse_qsl(request.url.query) if k != "lang"]
    links = []
    for language in store_languages(runtime.config):
        href = request.url.path + "?" + urlencode([*query, ("lang", language)])
        links.append(
            {
                "code": language,
                "name": language_name(language),
                "href": href,
                "current": language == current,
            }
        )
    return links


def install(env: Environment, config: StoreConfig) -> None:
    """Gettext for the store's templates, reading the language of the work in progress."""
    languages = store_languages(config)
    default = languages[0]
    for language in languages:
        i18n.translations(language)  # compile at start-up, not in the first request

    def language_now() -> str:
        language = i18n.current_language()
        return language if language in languages else default

    def gettext(message: str) -> str:
        return i18n.translate(message, language_now())

    def ngettext(singular: str, plural: str, n: int) -> str:
        language = language_now()
        if language == i18n.SOURCE_LANGUAGE:
            return singular if n == 1 else plural
        return i18n.translations(language).ngettext(singular, plural, n)

    def pgettext(context: str, message: str) -> str:
        language = language_now()
        if language == i18n.SOURCE_LANGUAGE:
            return message
        return i18n.translations(language).pgettext(context, message)

    def npgettext(context: str, singular: str, plural: str, n: int) -> str:
        language = language_now()
        if language == i18n.SOURCE_LANGUAGE:
            return singular if n == 1 else plural
        return i18n.translations(language).npgettext(context, singular, plural, n)

    def html_lang() -> str:
        language = language_now()
        return locale_for(config, language)

    # `{% trans %}` blocks are extracted with trimmed whitespace (babel.cfg); render them so.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.globals["current_language"] = language_now
    env.globals["html_lang"] = html_lang

    # For text that arrives already composed in Python (a form error, a flash message):
    # looked up in the catalogue, shown as it is when absent, and escaped like any value
    # (unlike `_()`, whose result Jinja trusts as markup).
    # pass_context keeps Jinja from folding it at compile time for a literal argument.
    @pass_context
    def translated(_context: object, text: object) -> object:
        return text if isinstance(text, Markup) else i18n.translate(str(text), language_now())

    env.filters["translated"] = translated
