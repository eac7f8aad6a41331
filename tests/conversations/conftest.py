import pytest

from mercato.conversations.events import DoneMarks
from tests.inquiries.factories import (  # noqa: F401 - fixtures
    make_brand,
    make_buyer,
    make_product,
    make_user,
    qala,
    qdb,
    qroles,
)


@pytest.fixture(autouse=True)
def done_marks_at_once(monkeypatch):
    """The app and the test share one database connection here (savepoints): the batched
    background UPDATE would interleave with the next request, so pushes are marked done in
    the request. test_websocket's grace test sets its own delay."""
    monkeypatch.setattr(DoneMarks, "FLUSH_SECONDS", 0)
