"""Email through the outbox: rendered from templates, kept without SMTP, sent with it."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound
from sqlalchemy import select

from mercato.kit.errors import ValidationFailed
from mercato.models import EmailMessage, OutboxEvent
from mercato.platform.email import EMAIL_SEND, deliver_email, queue_email
from mercato.platform.outbox import HandlerContext
from mercato.platform.worker import process_batch
from tests.platform.smtp_server import TinySmtpServer

TEMPLATES = {
    "test_emails/welcome.txt": (
        "Hello {{ name }}, welcome to {{ store.name }}.\nStart here: {{ absolute_url('account') }}"
    ),
    "test_emails/welcome.html": (
        '{% extends "emails/layout.html" %}{% block content %}<p>Hello {{ name }}</p>{% endblock %}'
    ),
    "test_emails/plain.txt": "Just text for {{ name }}.",
}


@pytest.fixture(autouse=True)
def test_templates(runtime, monkeypatch):
    loader = ChoiceLoader([DictLoader(TEMPLATES), runtime.templates.loader])
    monkeypatch.setattr(runtime.templates, "loader", loader)


@pytest.fixture
async def smtp(runtime, monkeypatch):
    server = TinySmtpServer()
    await server.start()
    configured = runtime.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": server.port,
            "smtp_starttls": False,
            "email_from": "Atelier <shop@atelier.test>",
        }
    )
    monkeypatch.setattr(runtime, "settings", configured)
    try:
        yield server
    finally:
        await server.stop()


async def welcome(db, runtime, name: str = "Ann") -> EmailMessage:
    return await queue_email(
        db,
        runtime,
        to="ann@example.com",
        subject="Welcome to the atelier",
        template="test_emails/welcome",
        context={"name": name},
    )


async def reload(db, message_id: int) -> EmailMessage:
    db.expire_all()
    row = await db.get(EmailMessage, message_id)
    assert row is not None
    return row


async def test_queue_email_renders_text_and_html_and_emits_an_event(db, runtime):
    # Given a name that is also markup
    # When an email is queued
    message = await welcome(db, runtime, name="<b>Ann</b>")
    # Then both bodies are rendered, the HTML one escaped and framed by the layout
    assert message.status == "queued"
    assert message.text_body.startswith("Hello <b>Ann</b>, welcome to Atelier Arôme.")
    assert "http://testserver/atelier-arome/account" in message.text_body
    assert "<p>Hello &lt;b&gt;Ann&lt;/b&gt;</p>" in message.html_body
    assert "<title>Welcome to the atelier</title>" in message.html_body
    assert "Atelier Arôme" in message.html_body
    # And the worker is told to send it
    event = await db.scalar(select(OutboxEvent).where(OutboxEvent.event_type == EMAIL_SEND))
    assert event.payload == {"email_id": message.id}


async def test_the_html_part_is_optional(db, runtime):
    message = await queue_email(
        db,
        runtime,
        to="ann@example.com",
        subject="Hi",
        template="test_emails/plain",
        context={"name": "Ann"},
    )
    assert message.text_body == "Just text for Ann."
    assert message.html_body == ""


async def test_the_text_part_is_required(db, runtime):
    with pytest.raises(TemplateNotFound):
        await queue_email(
            db, runtime, to="a@example.com", subject="Hi", template="nope", context={}
        )


@pytest.mark.parametrize(
    ("to", "subject", "error"),
    [
        ("ann@example.com\nBcc: all@example.com", "Hi", ValidationFailed),
        ("not-an-address", "Hi", ValidationFailed),
        ("ann@example.com", "Hi\r\nBcc: all@example.com", ValueError),
    ],
)
async def test_header_injection_is_refused(db, runtime, to, subject, error):
    # When a recipient or subject tries to smuggle in another header, then it is refused
    with pytest.raises(error):
        await queue_email(
            db, runtime, to=to, subject=subject, template="test_emails/plain", context={}
        )


async def test_without_smtp_the_email_is_kept_for_the_admin(db, runtime):
    # Given no SMTP server configured (the test settings have none)
    assert not runtime.settings.smtp_host
    message = await welcome(db, runtime)
    # When the worker delivers it
    await process_batch(runtime)
    # Then it is kept in the email outbox, not sent
    stored = await reload(db, message.id)
    assert stored.status == "kept"
    assert stored.sent_at is None


async def test_with_smtp_the_email_is_sent_as_text_and_html(db, runtime, smtp):
    # Given a configured SMTP server
    message = await welcome(db, runtime)
    # When the worker delivers it
    await process_batch(runtime)
    # Then the server got one multipart message from the store's address
    [got] = smtp.received
    assert got.sender == "shop@atelier.test"
    assert got.recipients == ["ann@example.com"]
    assert got.message["Subject"] == "Welcome to the atelier"
    assert got.message["To"] == "ann@example.com"
    assert got.message["From"] == "Atelier <shop@atelier.test>"
    assert f"mercato-{message.id}" in got.message["Message-ID"]
    text = got.message.get_body(("plain",)).get_content()
    html = got.message.get_body(("html",)).get_content()
    assert "welcome to Atelier Arôme" in text
    assert "<p>Hello Ann</p>" in html
    # And the stored message says so
    stored = await reload(db, message.id)
    assert stored.status == "sent"
    assert stored.sent_at is not None


async def test_delivering_a_sent_email_again_sends_nothing(db, runtime, smtp):
    # Given an email already sent
    message = await welcome(db, runtime)
    await process_batch(runtime)
    assert len(smtp.received) == 1
    # When the same event is delivered again (at-least-once delivery)
    event = await db.scalar(select(OutboxEvent).where(OutboxEvent.event_type == EMAIL_SEND))
    await deliver_email(HandlerContext(runtime=runtime, db=db, event=event), event)
    # Then no second copy goes out
    assert len(smtp.received) == 1
    assert (await reload(db, message.id)).status == "sent"


async def test_an_smtp_refusal_is_retried_later(db, runtime, smtp):
    # Given a server that is refusing mail for now
    smtp.refuse = True
    message = await welcome(db, runtime)
    # When the worker tries
    await process_batch(runtime)
    # Then nothing is sent, the message waits, and the event is scheduled for a retry
    assert smtp.received == []
    assert (await reload(db, message.id)).status == "queued"
    event = await db.scalar(select(OutboxEvent).where(OutboxEvent.event_type == EMAIL_SEND))
    await db.refresh(event)
    assert (event.status, event.attempts) == ("pending", 1)
    assert "451" in event.last_error
    # And when the server is back and the retry is due, it goes out
    smtp.refuse = False
    event.next_attempt_at = event.created_at
    await db.flush()
    await process_batch(runtime)
    assert len(smtp.received) == 1
    assert (await reload(db, message.id)).status == "sent"


def test_mail_is_a_core_module_handling_email_send(runtime):
    assert "mail" in runtime.modules
    assert deliver_email in runtime.modules.handlers_for(EMAIL_SEND)


async def test_an_email_whose_event_dies_is_marked_failed_and_a_retry_sends_it(db, runtime, smtp):
    # Given a server that keeps refusing until the event runs out of attempts
    from mercato.platform.worker import MAX_ATTEMPTS, retry_dead

    smtp.refuse = True
    message = await welcome(db, runtime)
    event = await db.scalar(select(OutboxEvent).where(OutboxEvent.event_type == EMAIL_SEND))
    for _ in range(MAX_ATTEMPTS):
        await db.refresh(event)
        event.next_attempt_at = event.created_at
        await db.flush()
        await process_batch(runtime)
    # Then the event is dead and the message says failed, with the server's answer
    await db.refresh(event)
    assert event.status == "dead"
    event_id = event.id
    failed = await reload(db, message.id)
    assert failed.status == "failed" and "451" in failed.error
    # And when the admin retries after the server is back, it is sent
    smtp.refuse = False
    assert await retry_dead(db, event_id)
    await db.flush()
    await process_batch(runtime)
    assert (await reload(db, message.id)).status == "sent"
    assert len(smtp.received) == 1
