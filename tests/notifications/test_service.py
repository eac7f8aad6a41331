"""Notifications: stored per user, counted, marked read only by their owner, pushed live."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from mercato.kit.errors import ValidationFailed
from mercato.models import OutboxEvent
from mercato.platform import notifications
from mercato.platform.notifications import (
    NOTIFICATION_CREATED,
    is_local_link,
    list_for_user,
    mark_read,
    notify,
    unread_count,
    user_channel,
)
from mercato.platform.worker import process_batch


async def test_notify_stores_the_row_and_queues_an_event(db, ann):
    # When a notification is created
    row = await notify(db, user_id=ann.id, title="Your order shipped", link="/atelier-arome/o/1")
    # Then it is unread and an outbox event names it and its user
    assert row.read_at is None
    assert (row.kind, row.link) == ("info", "/atelier-arome/o/1")
    event = await db.scalar(
        select(OutboxEvent).where(OutboxEvent.event_type == NOTIFICATION_CREATED)
    )
    assert event.payload == {"notification_id": row.id, "user_id": ann.id}


async def test_the_worker_pushes_the_new_unread_count_to_the_users_channel(db, runtime, ann, bob):
    # Given Ann's open page listening on her channel, and Bob's on his
    async with (
        runtime.hub.subscribe([user_channel(runtime.slug, ann.id)]) as ann_page,
        runtime.hub.subscribe([user_channel(runtime.slug, bob.id)]) as bob_page,
    ):
        # When two notifications for Ann are delivered by the worker
        await notify(db, user_id=ann.id, title="First")
        await notify(db, user_id=ann.id, title="Second", link="/atelier-arome/account/profile")
        await process_batch(runtime)
        # Then her page hears both, with the unread count at delivery time
        first = await asyncio.wait_for(ann_page.get(), 3)
        second = await asyncio.wait_for(ann_page.get(), 3)
        assert first == {"type": "notification:new", "unread": 2, "title": "First", "link": ""}
        assert second == {
            "type": "notification:new",
            "unread": 2,
            "title": "Second",
            "link": "/atelier-arome/account/profile",
        }
        # And Bob's page hears nothing
        assert bob_page.empty()


async def test_nothing_is_pushed_before_the_worker_delivers(db, runtime, ann):
    async with runtime.hub.subscribe([user_channel(runtime.slug, ann.id)]) as page:
        await notify(db, user_id=ann.id, title="Not yet")
        await asyncio.sleep(0.05)
        assert page.empty()


async def test_unread_count_and_newest_first_listing(db, ann, bob):
    # Given three notifications for Ann (one read) and one for Bob
    rows = [await notify(db, user_id=ann.id, title=f"N{i}") for i in range(3)]
    await notify(db, user_id=bob.id, title="Bob's")
    await mark_read(db, ann.id, [rows[0].id])
    # Then counts and listings are per user, newest first
    assert await unread_count(db, ann.id) == 2
    assert await unread_count(db, bob.id) == 1
    listing = await list_for_user(db, ann.id)
    assert [n.title for n in listing.items] == ["N2", "N1", "N0"]
    assert (listing.page, listing.pages, listing.total) == (1, 1, 3)


async def test_listing_pages_and_clamps_past_the_end(db, ann):
    for i in range(5):
        await notify(db, user_id=ann.id, title=f"N{i}")
    second = await list_for_user(db, ann.id, 2, per_page=2)
    assert [n.title for n in second.items] == ["N2", "N1"]
    assert second.has_previous and second.has_next
    beyond = await list_for_user(db, ann.id, 99, per_page=2)
    assert beyond.page == 3
    assert [n.title for n in beyond.items] == ["N0"]


async def test_a_user_cannot_mark_another_users_notification_read(db, ann, bob):
    # Given a notification of Bob's
    bobs = await notify(db, user_id=bob.id, title="For Bob only")
    # When Ann tries to mark it read by id, or marks "all" of hers
    changed = await mark_read(db, ann.id, [bobs.id])
    changed_all = await mark_read(db, ann.id, "all")
    # Then Bob's stays unread
    assert (changed, changed_all) == (0, 0)
    await db.refresh(bobs)
    assert bobs.read_at is None
    assert await unread_count(db, bob.id) == 1


async def test_mark_all_read_only_changes_unread_rows(db, ann):
    await notify(db, user_id=ann.id, title="A")
    await notify(db, user_id=ann.id, title="B")
    assert await mark_read(db, ann.id, "all") == 2
    assert await mark_read(db, ann.id, "all") == 0
    assert await mark_read(db, ann.id, []) == 0
    assert await unread_count(db, ann.id) == 0


@pytest.mark.parametrize(
    ("link", "local"),
    [
        ("/atelier-arome/orders/1", True),
        ("/", True),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/ok\r\nSet-Cookie: x=1", False),
        ("", False),
    ],
)
def test_only_links_inside_the_site_are_kept(link, local):
    assert is_local_link(link) is local


async def test_an_external_link_is_dropped_and_a_title_is_required(db, ann):
    row = await notify(db, user_id=ann.id, title="Click", link="https://evil.example/")
    assert row.link == ""
    with pytest.raises(ValidationFailed):
        await notify(db, user_id=ann.id, title="   ")


def test_the_notifications_module_handles_notification_created(runtime):
    assert notifications.push_notification in runtime.modules.handlers_for(NOTIFICATION_CREATED)
