"""A real SMTP server for tests (aiosmtpd on a free localhost port) that records what it
accepted, can be down (connections refused) and can hold one message until told to refuse it."""

import asyncio
import email
import socket
import threading
from collections import Counter
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            number = len(self.messages) + 1
            hold = self.hold_at == number and not self.holding.is_set()
            if hold:
                self.holding.set()
        if hold:
            # Keep the client waiting for our answer, then refuse: this one was not delivered.
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def deliveries(self) -> Counter:
        """How often each (recipient, Message-ID) arrived."""
        with self.recorder.lock:
            return Counter(
                (rcpt, message["Message-ID"])
                for rcpts, message in self.recorder.messages
                for rcpt in rcpts
            )

    def count(self) -> int:
        with self.recorder.lock:
            return len(self.recorder.messages)
