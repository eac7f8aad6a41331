"""Message catalogues and the language of the work in progress (a request, an email).

English is the source language: every marked string is its own English text, so a store
that speaks only English needs no catalogue at all. Other languages have a gettext ``.po``
file under ``src/mercato/translations/<lang>/LC_MESSAGES/messages.po``. Only the ``.po`` is
kept in git; it is compiled in memory with Babel the first time a process needs the
language (a few milliseconds), so a fresh clone with nothing but ``uv`` works and there is
no build step that could leave a stale ``.mo`` behind.

The language of the current request lives in a context variable set by
``mercato.web.i18n.LanguageMiddleware``; Python code that produces text a shopper reads
(form errors, cart and checkout messages) calls :func:`gettext`, which reads it. Outside a
request (workers, the CLI) nothing is set and callers get the store's default through
:func:`use_language` or the English source text.
"""

from __future__ import annotations

import gettext as _stdlib_gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SOURCE_LANGUAGE = "en"
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"

# (language, formatting locale): "vi" with "vi-VN" at Audio Tài Lộc; None outside a request.
_current: ContextVar[tuple[str, str] | None] = ContextVar("mercato_language", default=None)


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=16)
def translations(language: str) -> _stdlib_gettext.NullTranslations:
    """The compiled catalogue of ``language`` (source text for English or a missing file)."""
    path = catalogue_path(language)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return _stdlib_gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    # Fuzzy entries are guesses of msgmerge, never shown to shoppers.
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def current_language() -> str | None:
    value = _current.get()
    return value[0] if value else None


def current_locale(default: str) -> str:
    """The locale tag numbers and dates are formatted with ("vi-VN"), else ``default``."""
    value = _current.get()
    return value[1] if value else default


def set_language(language: str, locale: str):  # noqa: ANN201 - a ContextVar token
    return _current.set((language, locale))


def reset_language(token) -> None:  # noqa: ANN001
    _current.reset(token)


@contextmanager
def use_language(language: str, locale: str | None = None) -> Iterator[None]:
    """Render or translate in ``language`` for a while (a worker rendering an email)."""
    token = _current.set((language, locale or language))
    try:
        yield
    finally:
        _current.reset(token)


def translate(message: str, language: str | None = None) -> str:
    """``message`` in ``language`` (default: the current one); unknown text comes back as it
    is, so a message already translated, or one not in the catalogue, is shown unchanged."""
    lang = language or current_language()
    if not lang or lang == SOURCE_LANGUAGE or not message:
        return message
    return translations(lang).gettext(message)


def gettext(message: str, **params: object) -> str:
    """Translate a shopper-facing message and fill ``%(name)s`` placeholders afterwards, so
    the catalogue holds one entry per sentence and the values are never translated."""
    text = translate(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    lang = current_language()
    if not lang or lang == SOURCE_LANGUAGE:
        text = singular if n == 1 else plural
    else:
        text = translations(lang).ngettext(singular, plural, n)
    return text % {"num": n, **params}


# Babel's extractor looks for these names; `_` reads better at call sites with long text.
_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel's extractor knows
    """Mark text for the catalogue without translating it yet: it is translated where it
    is shown (error pages and JSON errors translate their message)."""
    return message


class Labels(Mapping[str, str]):
    """Names of codes (statuses, priorities) kept as English msgids and read in the current
    language: ``labels["open"]`` and ``labels.items()`` translate at the moment of reading,
    so one module-level table serves every request, page and admin alike."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = dict(names)

    def __getitem__(self, code: str) -> str:
        return translate(self._names[code])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def source(self, code: str) -> str:
        """The English msgid of ``code`` (for text composed before it is translated)."""
        return self._names[code]
