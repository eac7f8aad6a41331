"""Email attachments: stored privately when the message is queued, attached by the worker
when it is sent; file names cannot climb out of the storage; the size is bounded."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader

from mercato.platform.email import Attachment, queue_email
from mercato.platform.files import private_storage
from mercato.platform.worker import process_batch
from tests.platform.smtp_server import TinySmtpServer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def templates(runtime, monkeypatch):
    loader = ChoiceLoader(
        [DictLoader({"t/receipt.txt": "Your receipt is attached."}), runtime.templates.loader]
    )
    monkeypatch.setattr(runtime.templates, "loader", loader)


@pytest.fixture
async def smtp(runtime, monkeypatch):
    server = TinySmtpServer()
    await server.start()
    configured = runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_starttls": False}
    )
    monkeypatch.setattr(runtime, "settings", configured)
    try:
        yield server
    finally:
        await server.stop()


async def _queue(db, runtime, *attachments: Attachment):
    return await queue_email(
        db,
        runtime,
        to="ann@example.com",
        subject="Your receipt",
        template="t/receipt",
        context={},
        attachments=attachments,
    )


async def test_an_attachment_is_stored_privately_and_sent_with_the_message(db, runtime, smtp):
    message = await _queue(db, runtime, Attachment("receipt 12.pdf", "application/pdf", PDF))
    [meta] = message.attachments
    assert meta["filename"] == "receipt-12.pdf" and meta["key"].startswith("private/email/")
    assert (
        await private_storage(runtime.settings.uploads_dir, runtime.slug).read(meta["key"]) == PDF
    )
    assert not runtime.storage.local_path(meta["key"]).exists()  # not under the public /files
    await process_batch(runtime)
    [got] = smtp.received
    assert "Your receipt is attached." in got.message.get_body(("plain",)).get_content()
    [part] = list(got.message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "receipt-12.pdf"
    assert part.get_content() == PDF


async def test_a_message_without_attachments_is_unchanged(db, runtime, smtp):
    message = await _queue(db, runtime)
    assert message.attachments is None
    await process_batch(runtime)
    [got] = smtp.received
    assert list(got.message.iter_attachments()) == []


async def test_a_file_name_cannot_leave_the_storage(db, runtime):
    message = await _queue(db, runtime, Attachment("../../../etc/passwd", "text/plain", b"x"))
    [meta] = message.attachments
    assert ".." not in meta["key"] and meta["filename"] == "etc-passwd"


async def test_attachments_are_bounded(db, runtime):
    with pytest.raises(ValueError, match="10 MB"):
        await _queue(
            db,
            runtime,
            Attachment("big.bin", "application/octet-stream", b"0" * (10 * 1024 * 1024 + 1)),
        )
