"""Real servers on loopback standing in for the outbound gateways: an HTTP receiver (SMS, WhatsApp) and an SMTP server.

Both record what arrives, as a gateway would see it. The HTTP receiver answers
a delivery whose ``Idempotency-Key`` it has seen before with 200 and keeps it
out of ``deliveries`` (a real gateway dedupes the same way); ``posts`` keeps
every request. It can hold requests to one number open (``hold_to``), answer with a chosen
status, and be stopped and started again on the same port. It also serves files, as a WhatsApp gateway
serves a message's media: ``GET /media/<name>`` answers ``media[name]`` (after ``media_delay[name]``
seconds, if set) or 404, and ``gets`` records every path asked for.
"""

from __future__ import annotations

import email
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import free_port


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int = 0  # what the gateway answered (a held request counts as accepted: the gateway has it)

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def key(self) -> str:
        return self.headers.get("Idempotency-Key", "")


@dataclass
class Gateway:
    """An HTTP receiver on 127.0.0.1: ``url`` to POST to, ``posts`` (everything) and ``deliveries`` (one per key)."""

    port: int = field(default_factory=free_port)
    posts: list[Post] = field(default_factory=list)
    answer: Callable[[Post], int] = lambda _post: 200
    hold_to: str | None = None  # deliveries to this number are held open until ``release`` is set
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    server: ThreadingHTTPServer | None = None
    media: dict[str, bytes] = field(default_factory=dict)
    media_delay: dict[str, float] = field(default_factory=dict)
    gets: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    def start(self) -> Gateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                post = Post(self.path, dict(self.headers.items()), json.loads(raw or b"{}"))
                with gateway.changed:
                    seen = any(p.key == post.key and p.accepted for p in gateway.posts)
                    post.status = 200 if seen else gateway.answer(post)
                    gateway.posts.append(post)
                    gateway.changed.notify_all()
                if gateway.hold_to is not None and post.body.get("to") == gateway.hold_to:
                    gateway.held.set()
                    gateway.release.wait(60)
                status = post.status
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps({"duplicate": seen}).encode())
                except OSError:
                    pass  # the sender is gone (killed mid-send)

            def do_GET(self) -> None:
                gateway.gets.append(self.path)
                name = self.path.removeprefix("/media/")
                body = gateway.media.get(name) if self.path.startswith("/media/") else None
                time.sleep(gateway.media_delay.get(name, 0))
                try:
                    self.send_response(200 if body is not None else 404)
                    self.send_header("Content-Type", "image/jpeg" if body is not None else "text/plain")
                    self.send_header("Content-Length", str(len(body or b"")))
                    self.end_headers()
                    self.wfile.write(body or b"")
                except OSError:
                    pass  # the app gave up waiting

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def media_url(self, name: str) -> str:
        """The address of a file this gateway serves (``media``)."""
        return f"http://127.0.0.1:{self.port}/media/{name}"

    def stop(self) -> None:
        """Stop listening: connections to the port are refused until ``start``."""
        if self.server is not None:
            self.release.set()
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def deliveries(self, to: str | None = None) -> list[Post]:
        """The first accepted POST of each idempotency key (what the gateway sends on), optionally only to ``to``."""
        with self.changed:
            first: dict[str, Post] = {}
            for post in self.posts:
                if post.accepted:
                    first.setdefault(post.key, post)
        return [p for p in first.values() if to is None or p.body.get("to") == to]

    def wait_for(self, done: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not done():
                left = deadline - time.monotonic()
                assert left > 0, f"the gateway did not get what was expected; it got {[p.body for p in self.posts]}"
                self.changed.wait(min(left, 0.2))


@dataclass
class Mailbox:
    """An aiosmtpd SMTP server on 127.0.0.1; ``messages`` holds every e-mail it accepted."""

    username: str | None = None
    password: str | None = None
    starttls: bool = False
    port: int = field(default_factory=free_port)
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        auth = f"{quote(self.username, safe='')}:{quote(self.password or '', safe='')}@" if self.username else ""
        return f"smtp{'+starttls' if self.starttls else ''}://{auth}127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.changed:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.changed.notify_all()
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (self.username, self.password)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    def to(self, address: str) -> list[Message]:
        with self.changed:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, done: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not done():
                left = deadline - time.monotonic()
                assert left > 0, f"the SMTP server did not get what was expected; it got {len(self.messages)} mails"
                self.changed.wait(min(left, 0.2))


@pytest.fixture(name="gateway")
def gateway_fixture() -> Iterator[Gateway]:
    gateway = Gateway().start()
    yield gateway
    gateway.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as files in ``folder``."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture(name="mailbox")
def mailbox_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """An SMTP server that requires STARTTLS and a log-in; its self-signed certificate is trusted (SSL_CERT_FILE)."""
    from aiosmtpd.controller import Controller

    cert_file, key_file = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_file, key_file)
    box = Mailbox(username="pantau", password="kata sandi/smtp", starttls=True)
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=box.port,
        authenticator=box._authenticate,
        auth_required=True,
        tls_context=tls,
        require_starttls=True,
    )
    controller.start()
    yield box
    controller.stop()


def body_text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")
