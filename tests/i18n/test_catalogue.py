"""The Vietnamese catalogue is complete and matches what the code marks for translation."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mercato.config import PROJECT_ROOT
from mercato.kit.i18n import catalogue_path

# The folders babel.cfg's commands extract from: the modules and the stores' own themes.
SOURCES = (PROJECT_ROOT / "src" / "mercato", PROJECT_ROOT / "stores")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def vi_catalogue():
    with catalogue_path("vi").open("rb") as po:
        return read_po(po, locale="vi")


@pytest.fixture(scope="module")
def marked_messages() -> set[str]:
    """Every msgid the code marks, extracted with the project's babel.cfg (as pybabel does)."""
    with (PROJECT_ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[str] = set()
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            source, method_map, options_map
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_store_themes_are_extracted(marked_messages):
    """Audio Tài Lộc's own home, product page and live panel are part of the catalogue."""
    assert {"Featured products", "Product description", "Waiting for new orders…"} <= (
        marked_messages
    )


def _entries(catalogue):
    return [m for m in catalogue if m.id]


def test_every_message_is_translated(vi_catalogue):
    untranslated = [
        m.id
        for m in _entries(vi_catalogue)
        if not (all(m.string) if isinstance(m.string, tuple) else m.string) or m.fuzzy
    ]
    assert untranslated == []


def test_every_marked_string_is_in_the_catalogue(vi_catalogue, marked_messages):
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _entries(vi_catalogue)}
    missing = sorted(marked_messages - known)
    assert missing == [], "run the pybabel commands in babel.cfg and translate these"


def test_catalogue_holds_nothing_unused(vi_catalogue, marked_messages):
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _entries(vi_catalogue)}
    assert sorted(known - marked_messages) == []


def test_translations_keep_their_placeholders(vi_catalogue):
    for message in _entries(vi_catalogue):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, message.id
            # A lone % would break Jinja's formatting of the translated text.
            assert "%" not in PLACEHOLDER.sub("", text).replace("%%", ""), message.id


def test_babel_finds_no_format_errors(vi_catalogue):
    problems = [(m.id, errors) for m, errors in vi_catalogue.check()]
    assert problems == []
