"""Fixtures for the Audio Tài Lộc shop: its runtime and a rolled-back session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

SLUG = "audio-tai-loc"


@pytest.fixture
def audio(app):
    return app.state.runtimes[SLUG]


@pytest.fixture
async def adb(audio) -> AsyncIterator[AsyncSession]:
    async with audio.db.session(write=True) as session:
        yield session
