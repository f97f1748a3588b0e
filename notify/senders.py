"""Handing one message to its channel: the HTTP SMS gateway, the WhatsApp provider's webhook, or an SMTP server.

SMS and WhatsApp are a JSON POST with ``to``, ``text`` and ``id`` (WhatsApp adds
``template`` and ``lang``), the shared secret in ``X-Pantau-Secret`` as on the
inbound side, and the message's idempotency key in ``Idempotency-Key``. Any 2xx
answer is taken as delivered, and so is 409 (the gateway already has that key).
408, 425, 429, 5xx and network failures are tried again later; any other 4xx
will not get better by retrying and gives up at once. E-mail carries the key
as its ``Message-ID``. Error details name the failure, never the recipient, the
text, or a URL (it may hold a gateway's key).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import unquote, urlsplit

import requests

from db.channels import EMAIL, SMS, WHATSAPP
from notify.messages import Message
from settings import Settings

SECRET_HEADER = "X-Pantau-Secret"
_RETRY_HTTP = frozenset({408, 425, 429})
_SMTP_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
# SMTP refusals that an administrator can fix (log-in, TLS required): worth retrying, unlike a refused address.
_SMTP_RETRY = frozenset({421, 450, 451, 452, 454, 530, 534, 535, 538})


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    detail: str
    permanent: bool = False  # retrying cannot help: the message is given up at once


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    starttls: bool
    implicit_tls: bool
    username: str | None
    password: str | None


def smtp_server(url: str) -> SmtpServer:
    """PANTAU_SMTP_URL read: smtp://host:port, smtp+starttls://user:password@host:port or smtps://…."""
    parts = urlsplit(url)
    if parts.scheme not in _SMTP_SCHEMES or not parts.hostname:
        raise SmtpUrlError(
            f"PANTAU_SMTP_URL must look like smtp://host:port, smtp+starttls://user:password@host:port or smtps://…; "
            f"got a {parts.scheme or 'schemeless'} URL"
        )
    try:
        port = parts.port or _SMTP_SCHEMES[parts.scheme]
    except ValueError as exc:
        raise SmtpUrlError("PANTAU_SMTP_URL has a port that is not a number") from exc
    return SmtpServer(
        host=parts.hostname,
        port=port,
        starttls=parts.scheme == "smtp+starttls",
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class Senders:
    """The configured channels; one per worker (it keeps HTTP connections open between messages)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.timeout = settings.notify_timeout_s
        self.smtp = smtp_server(settings.smtp_url) if settings.smtp_url else None
        self.http = requests.Session()

    def off(self, channel: str) -> str | None:
        """Why ``channel`` cannot send (its setting is empty), or None when it can."""
        setting = {
            SMS: ("PANTAU_SMS_OUTBOUND_URL", self.settings.sms_outbound_url),
            WHATSAPP: ("PANTAU_WHATSAPP_OUTBOUND_URL", self.settings.whatsapp_outbound_url),
            EMAIL: ("PANTAU_SMTP_URL", self.settings.smtp_url),
        }.get(channel)
        if setting is None:
            return f"unknown channel {channel!r}"
        return None if setting[1] else f"channel off: {setting[0]} is not set"

    def send(self, channel: str, to: str, message: Message, key: str, kind: str, lang: str) -> Outcome:
        if channel == SMS:
            payload = {"to": to, "text": message.text, "id": key}
            return self._post(self.settings.sms_outbound_url, self.settings.sms_secret, payload, key)
        if channel == WHATSAPP:
            payload = {"to": to, "text": message.text, "id": key, "template": f"pantau_{kind}", "lang": lang}
            secret = self.settings.whatsapp_secret or self.settings.sms_secret
            return self._post(self.settings.whatsapp_outbound_url, secret, payload, key)
        return self._mail(to, message, key, lang)

    def _post(self, url: str, secret: str, payload: dict[str, str], key: str) -> Outcome:
        headers = {"Idempotency-Key": key}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            response = self.http.post(url, json=payload, headers=headers, timeout=self.timeout)
        except requests.Timeout:
            return Outcome(False, f"no answer within {self.timeout:g} s")
        except requests.RequestException as exc:
            refused = "refused" in str(exc).lower()
            return Outcome(
                False, "connection refused" if refused else f"cannot reach the gateway ({type(exc).__name__})"
            )
        code = response.status_code
        response.close()
        if 200 <= code < 300 or code == 409:
            return Outcome(True, f"HTTP {code}")
        retry = code in _RETRY_HTTP or code >= 500
        return Outcome(False, f"HTTP {code} {response.reason or ''}".strip(), permanent=not retry)

    def _mail(self, to: str, message: Message, key: str, lang: str) -> Outcome:
        server = self.smtp
        assert server is not None  # off() said e-mail is on
        mail = EmailMessage()
        mail["From"] = self.settings.mail_from
        mail["To"] = to
        mail["Subject"] = message.subject
        domain = parseaddr(self.settings.mail_from)[1].rpartition("@")[2] or "pantau.invalid"
        mail["Message-ID"] = f"<{key}@{domain}>"
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Content-Language"] = lang
        mail.set_content(message.text)
        smtp_class = smtplib.SMTP_SSL if server.implicit_tls else smtplib.SMTP
        try:
            with smtp_class(server.host, server.port, timeout=self.timeout) as smtp:
                if server.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if server.username:
                    smtp.login(server.username, server.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return Outcome(False, f"SMTP refused the recipient ({', '.join(map(str, codes))})", not _retry_smtp(codes))
        except smtplib.SMTPResponseException as exc:
            return Outcome(False, f"SMTP {exc.smtp_code}", not _retry_smtp([exc.smtp_code]))
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome(False, f"SMTP server unreachable ({type(exc).__name__})")
        return Outcome(True, "SMTP accepted")


def _retry_smtp(codes: list[int]) -> bool:
    return any(code < 500 or code in _SMTP_RETRY for code in codes)
