"""Email through the outbox (DESIGN.md §4): rendered from templates, stored, then sent by
the worker with SMTP when it is configured, otherwise kept for admins to read.

A message is rendered when it is queued, in the transaction of the change that caused it,
so what is sent is what the store said at that moment, and a rolled-back change sends nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any

from jinja2 import TemplateNotFound
from sqlalchemy import select

from mercato.kit.errors import ValidationFailed
from mercato.kit.security import new_token
from mercato.kit.time import utcnow
from mercato.models import EmailMessage, OutboxEvent
from mercato.platform import outbox
from mercato.platform.files import LocalStorage, private_storage
from mercato.platform.modules import Module

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.config import Settings
    from mercato.platform.outbox import HandlerContext
    from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.email")
EMAIL_SEND = "email.send"
SMTP_TIMEOUT_SECONDS = 30
FINISHED = frozenset({"sent", "kept"})
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # per message; most mail servers refuse far more
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message (a policy certificate, an invoice)."""

    filename: str
    content_type: str
    data: bytes


async def queue_email(
    db: AsyncSession,
    runtime: StoreRuntime,
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """Render ``<template>.txt`` (required) and ``<template>.html`` (optional) and queue the
    message; the worker sends it after the caller's transaction commits.

    Templates see ``store``, ``runtime``, ``path`` and ``absolute_url`` besides ``context``.
    ``attachments`` are written to private storage now (the row keeps their keys)
    and attached when the message is sent; a rolled-back change leaves only an unreferenced
    private file behind, never a message.
    """
    address = to.strip()
    if not address or "@" not in parseaddr(address)[1] or "\n" in address or "\r" in address:
        raise ValidationFailed("That email address is not valid.", field="email")
    if "\n" in subject or "\r" in subject:  # a header injection attempt, or a bug
        raise ValueError("an email subject is one line")
    assert runtime.templates is not None
    values = {"subject": subject, "absolute_url": runtime.absolute_url, **context}
    text_body = runtime.templates.get_template(f"{template}.txt").render(values)
    try:
        html_body = runtime.templates.get_template(f"{template}.html").render(values)
    except TemplateNotFound:
        html_body = ""
    if sum(len(a.data) for a in attachments) > MAX_ATTACHMENT_BYTES:
        raise ValueError("email attachments are limited to 10 MB per message")
    stored = []
    for attachment in attachments:
        filename = _SAFE_NAME.sub("-", attachment.filename).strip("-.")[:100] or "file"
        key = f"private/email/{new_token(12)}/{filename}"
        await _attachment_storage(runtime).save(key, attachment.data)
        stored.append({"key": key, "filename": filename, "content_type": attachment.content_type})
    message = EmailMessage(
        attachments=stored or None,
        to_address=address[:254],
        subject=subject[:300],
        text_body=text_body,
        html_body=html_body,
        template=template[:100],
        status="queued",
    )
    db.add(message)
    await db.flush()
    await outbox.emit(db, EMAIL_SEND, {"email_id": message.id})
    return message


def build_mime(
    message: EmailMessage, settings: Settings, files: Sequence[tuple[dict[str, str], bytes]] = ()
) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = settings.email_from
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    domain = parseaddr(settings.email_from)[1].rpartition("@")[2] or "mercato.invalid"
    # A stable id per stored message lets receiving servers drop a redelivered duplicate.
    mime["Message-ID"] = make_msgid(idstring=f"mercato-{message.id}", domain=domain)
    mime.set_content(message.text_body)
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html")
    for meta, data in files:
        maintype, _, subtype = meta["content_type"].partition("/")
        mime.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=meta["filename"],
        )
    return mime


async def attachment_files(
    message: EmailMessage, runtime: StoreRuntime
) -> list[tuple[dict[str, str], bytes]]:
    """The stored attachments of ``message`` with their bytes, read at send time."""
    storage = _attachment_storage(runtime)
    return [(meta, await storage.read(meta["key"])) for meta in message.attachments or []]


def _attachment_storage(runtime: StoreRuntime) -> LocalStorage:
    # Private: an attachment (a certificate with an owner's address) is not a public file.
    return private_storage(runtime.settings.uploads_dir, runtime.slug)


async def send_smtp(mime: MimeMessage, settings: Settings) -> None:
    implicit_tls = settings.smtp_port == 465  # SMTPS; every other port upgrades or stays plain
    # Imported by the first message sent: a server worker without the worker loop never
    # sends one, and aiosmtplib is about 1 MiB in every worker (issue 3).
    import aiosmtplib

    await aiosmtplib.send(
        mime,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password.get_secret_value() or None,
        use_tls=implicit_tls,
        start_tls=settings.smtp_starttls and not implicit_tls,
        timeout=SMTP_TIMEOUT_SECONDS,
    )


async def deliver_email(ctx: HandlerContext, event: OutboxEvent) -> None:
    """Handler for ``email.send``. Idempotent: a message already sent or kept is left alone.

    SMTP runs inside the delivery transaction, so a refused or unreachable server raises and
    the worker retries with backoff. If the server accepted the message but the commit then
    failed, the retry sends it again (at least once); the stable Message-ID helps receivers.
    """
    message = await ctx.db.scalar(
        select(EmailMessage)
        .where(EmailMessage.id == int(event.payload["email_id"]))
        .with_for_update()  # two deliveries of one event queue here instead of both sending
        .execution_options(populate_existing=True)  # the status as stored, not as cached
    )
    if message is None:
        log.warning("email.send for a message that does not exist", extra=event.payload)
        return
    if message.status in FINISHED:
        return
    settings = ctx.runtime.settings
    if not settings.smtp_host:
        message.status = "kept"  # development: admins read it in the email outbox
        await ctx.db.flush()
        return
    files = await attachment_files(message, ctx.runtime)
    await send_smtp(build_mime(message, settings, files), settings)
    message.status = "sent"
    message.sent_at = utcnow()
    message.error = ""
    await ctx.db.flush()


async def mark_email_failed(ctx: HandlerContext, event: OutboxEvent) -> None:
    """Dead-letter handler for ``email.send``: the admin's outbox shows the message as
    failed, with the last error, instead of queued forever. A retry from the admin's jobs
    page sends it again (``deliver_email`` accepts a failed message)."""
    message = await ctx.db.get(EmailMessage, int(event.payload["email_id"]))
    if message is not None and message.status not in FINISHED:
        message.status = "failed"
        message.error = event.last_error
        await ctx.db.flush()


mail_module = Module(
    name="mail",
    title="Email",
    core=True,
    event_handlers={
        EMAIL_SEND: [deliver_email],
        outbox.dead_letter_type(EMAIL_SEND): [mark_email_failed],
    },
)
