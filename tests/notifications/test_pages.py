"""The notification pages, the unread badge on every page and the JSON API."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from mercato.identity.tokens import issue_token_pair
from mercato.models import Notification
from mercato.platform.notifications import mark_read, notify, unread_count
from tests.helpers import csrf_in
from tests.notifications.conftest import STORE, sign_in

PAGE = f"/{STORE}/notifications"
API = f"/{STORE}/api/v1/notifications"


async def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = await client.get(PAGE)
    assert response.status_code in (302, 303, 401)
    if response.status_code != 401:
        assert "/account/signin" in response.headers["location"]


async def test_empty_state_is_friendly(client, db, ann):
    await sign_in(client, db, ann)
    response = await client.get(PAGE)
    assert response.status_code == 200
    assert "Nothing here yet" in response.text


async def test_the_list_shows_own_notifications_newest_first_with_unread_marked(
    client, db, ann, bob
):
    # Given Ann has a read and an unread notification, and Bob has one
    old = await notify(db, user_id=ann.id, title="Older, already read")
    await notify(db, user_id=ann.id, title="Newer and unread", body="Details here")
    await notify(db, user_id=bob.id, title="Bob's secret")
    await mark_read(db, ann.id, [old.id])
    await sign_in(client, db, ann)
    # When she opens the page
    html = (await client.get(PAGE)).text
    # Then she sees hers, newest first, the unread one marked, and not Bob's
    assert html.index("Newer and unread") < html.index("Older, already read")
    assert "Bob&#39;s secret" not in html and "Bob's secret" not in html
    assert html.count("is-unread") == 1
    assert "Details here" in html
    assert "Mark all as read" in html


async def test_every_page_shows_the_unread_badge(client, db, ann):
    # Given two unread notifications
    await notify(db, user_id=ann.id, title="One")
    await notify(db, user_id=ann.id, title="Two")
    await sign_in(client, db, ann)
    # When Ann opens the store's home page (not a notifications page)
    html = (await client.get(f"/{STORE}/")).text
    # Then the header badge shows the count, and the live script is loaded
    assert re.search(r"<span class=\"badge\" data-unread-count\s*>2</span>", html)
    assert "static/live.js" in html


async def test_mark_all_read(client, db, ann):
    await notify(db, user_id=ann.id, title="One")
    await notify(db, user_id=ann.id, title="Two")
    await sign_in(client, db, ann)
    csrf = csrf_in((await client.get(PAGE)).text)
    response = await client.post(f"{PAGE}/read-all", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == PAGE
    assert await unread_count(db, ann.id) == 0


async def test_mark_all_read_without_the_csrf_token_is_refused(client, db, ann):
    await notify(db, user_id=ann.id, title="One")
    await sign_in(client, db, ann)
    await client.get(PAGE)  # has the CSRF cookie, but the forged form lacks the token
    response = await client.post(f"{PAGE}/read-all", data={})
    assert response.status_code == 403
    assert await unread_count(db, ann.id) == 1


async def test_opening_a_notification_marks_it_read_and_follows_its_link(client, db, ann):
    row = await notify(db, user_id=ann.id, title="Profile", link=f"/{STORE}/account/profile")
    await sign_in(client, db, ann)
    csrf = csrf_in((await client.get(PAGE)).text)
    response = await client.post(f"{PAGE}/{row.id}/read", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == f"/{STORE}/account/profile"
    assert await unread_count(db, ann.id) == 0


async def test_a_stored_external_link_is_never_followed(client, db, ann):
    # Given a row whose link was written around the service (an old import, a bug)
    row = Notification(user_id=ann.id, title="Old", link="//evil.example/phish")
    db.add(row)
    await db.flush()
    await sign_in(client, db, ann)
    csrf = csrf_in((await client.get(PAGE)).text)
    # When Ann opens it, then she stays on the store
    response = await client.post(f"{PAGE}/{row.id}/read", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == PAGE


async def test_opening_another_users_notification_changes_nothing(client, db, ann, bob):
    # Given a notification of Bob's
    bobs = await notify(db, user_id=bob.id, title="Bob's", link=f"/{STORE}/secret")
    await sign_in(client, db, ann)
    csrf = csrf_in((await client.get(PAGE)).text)
    # When Ann posts its id
    response = await client.post(f"{PAGE}/{bobs.id}/read", data={"csrf_token": csrf})
    # Then she is not sent to Bob's link, and his stays unread
    assert response.status_code == 303
    assert response.headers["location"] == PAGE
    assert await unread_count(db, bob.id) == 1


async def test_api_lists_and_marks_own_notifications(client, db, runtime, ann, bob):
    # Given notifications for Ann and Bob, and Ann's access token
    mine = await notify(db, user_id=ann.id, title="Mine")
    bobs = await notify(db, user_id=bob.id, title="Bob's")
    pair = await issue_token_pair(db, runtime, ann)
    auth = {"Authorization": f"Bearer {pair.access_token}"}
    # When she lists them
    listing = (await client.get(API, headers=auth)).json()
    # Then she sees only hers
    assert [n["title"] for n in listing["items"]] == ["Mine"]
    assert listing["unread"] == 1
    # When she marks her own and Bob's id read
    response = await client.post(f"{API}/read", json={"ids": [mine.id, bobs.id]}, headers=auth)
    # Then only hers changed
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 0}
    assert await unread_count(db, bob.id) == 1


async def test_api_mark_all_and_field_errors(client, db, runtime, ann):
    await notify(db, user_id=ann.id, title="A")
    pair = await issue_token_pair(db, runtime, ann)
    auth = {"Authorization": f"Bearer {pair.access_token}"}
    assert (await client.post(f"{API}/read", json={"ids": "all"}, headers=auth)).json() == {
        "marked": 1,
        "unread": 0,
    }
    bad = await client.post(f"{API}/read", json={"ids": "some"}, headers=auth)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].startswith("ids")


async def test_api_needs_a_token(client, db, ann):
    await sign_in(client, db, ann)  # a session cookie is not API authentication
    response = await client.get(API)
    assert response.status_code == 401
    count = await db.scalar(select(func.count()).select_from(Notification))
    assert count == 0
