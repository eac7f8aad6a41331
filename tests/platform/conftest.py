"""Fixtures for platform tests: extra event handlers and schedules for one test only."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pytest

from mercato.models import User
from mercato.platform.modules import Schedule


@pytest.fixture
def handlers(runtime, monkeypatch):
    """``handlers["test.event"].append(fn)`` adds a handler next to the modules' own."""
    extra: dict[str, list] = defaultdict(list)
    real = runtime.modules.handlers_for
    monkeypatch.setattr(runtime.modules, "handlers_for", lambda t: [*real(t), *extra[t]])
    return extra


@pytest.fixture
def fresh_runtime(runtime):
    """The store runtime with its own in-process scheduler memory, like a second instance
    (the session-wide runtime remembers slots decided in earlier, rolled-back tests)."""

    def make():
        return dataclasses.replace(runtime, extras={})

    return make


@pytest.fixture
def schedules(runtime, monkeypatch):
    """Replace the store's schedules with the test's own list."""
    chosen: list[Schedule] = []
    monkeypatch.setattr(runtime.modules, "schedules", lambda: list(chosen))
    return chosen


@pytest.fixture
async def user(db) -> User:
    row = User(email="platform-user@example.com", name="Pat Form")
    db.add(row)
    await db.flush()
    return row
