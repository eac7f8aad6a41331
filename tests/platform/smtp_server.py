"""A tiny in-process SMTP server: the process boundary of email, faked at the socket.

Speaks just enough RFC 5321 for aiosmtplib (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
keeps what it receives. ``refuse`` makes it answer MAIL with a temporary failure.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class TinySmtpServer:
    refuse: bool = False
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        sender, recipients = "", []
        reply("220 tiny.test ESMTP")
        try:
            while line := await reader.readline():
                command = line.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb == "EHLO":
                    reply("250-tiny.test")
                    reply("250 8BITMIME")
                elif verb == "HELO" or verb in ("RSET", "NOOP"):
                    sender, recipients = ("", []) if verb == "RSET" else (sender, recipients)
                    reply("250 OK")
                elif verb == "MAIL":
                    if self.refuse:
                        reply("451 4.3.0 Try again later")
                        continue
                    sender = command.partition(":")[2].strip().strip("<>").split(">")[0]
                    reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.partition(":")[2].strip().strip("<>"))
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    lines = []
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    parsed = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                    self.received.append(Received(sender, recipients, parsed))  # type: ignore[arg-type]
                    sender, recipients = "", []
                    reply("250 OK queued")
                elif verb == "QUIT":
                    reply("221 Bye")
                    await writer.drain()
                    break
                else:
                    reply("502 Command not implemented")
                await writer.drain()
        finally:
            writer.close()
