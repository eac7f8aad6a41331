"""kit.i18n.Labels: names of codes kept as English msgids, read in the current language."""

from __future__ import annotations

from mercato.bookings.service import STATUS_LABELS as BOOKING_STATUSES
from mercato.kit.i18n import N_, Labels, use_language
from mercato.support.service import PRIORITY_LABELS, STATUS_LABELS


def test_labels_read_in_the_language_of_the_moment():
    labels = Labels({"open": N_("Waiting for us"), "closed": N_("Closed")})
    # Outside any request: the English source text
    assert labels["open"] == "Waiting for us"
    with use_language("vi", "vi-VN"):
        assert labels["open"] == "Đang chờ xử lý"
        assert dict(labels.items()) == {"open": "Đang chờ xử lý", "closed": "Đã đóng"}
    with use_language("en"):
        assert labels["closed"] == "Closed"
    assert list(labels) == ["open", "closed"] and "open" in labels and len(labels) == 2
    assert labels.source("closed") == "Closed"


def test_the_shops_status_names_are_all_translated():
    for table in (BOOKING_STATUSES, STATUS_LABELS, PRIORITY_LABELS):
        for code in table:
            with use_language("vi", "vi-VN"):
                assert table[code] != table.source(code), code
