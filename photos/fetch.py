"""Fetching a photo the WhatsApp gateway gives as a URL: only from the gateway's own host, small and quick.

A gateway may hand over a message's media as a link on its own server instead of posting the file. The
app fetches it only when the link's origin (scheme, host and port) is the gateway's, the origin of
``PANTAU_WHATSAPP_OUTBOUND_URL``: any other address is refused unfetched, so a message cannot make the
app reach into the city's network or anyone else's. Redirects are not followed. The download stops at
``max_bytes`` (the photo limit) and at ``TOTAL_SECONDS`` however slowly the server sends; each failure
is a ``MediaRefused`` with a short reason for ``media_refused`` and never costs the report.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests

CONNECT_SECONDS = 3.0
READ_SECONDS = 5.0
TOTAL_SECONDS = 10.0
_CHUNK = 65536


class MediaRefused(ValueError):
    """A media URL that was not fetched, or not wholly: the message says why (English, for the gateway)."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, gateway_url: str) -> bool:
    """True when ``url`` is on the gateway's host: the same scheme, host and port as ``gateway_url``."""
    if not gateway_url:
        return False
    mine = _origin(url)
    return mine[0] in ("http", "https") and bool(mine[1]) and mine == _origin(gateway_url)


def fetch_media(url: str, gateway_url: str, max_bytes: int) -> bytes:
    """The bytes at ``url``, fetched only from the gateway's host; raises MediaRefused."""
    if not same_origin(url, gateway_url):
        raise MediaRefused("not on the gateway's host")
    started = time.monotonic()
    try:
        with requests.get(url, timeout=(CONNECT_SECONDS, READ_SECONDS), stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise MediaRefused(f"the gateway answered {response.status_code}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise MediaRefused(f"larger than {max_bytes} bytes")
            data = bytearray()
            for chunk in response.iter_content(_CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    raise MediaRefused(f"larger than {max_bytes} bytes")
                if time.monotonic() - started > TOTAL_SECONDS:
                    raise MediaRefused(f"took longer than {TOTAL_SECONDS:g} s")
            return bytes(data)
    except requests.Timeout as exc:
        raise MediaRefused("the gateway did not answer in time") from exc
    except requests.RequestException as exc:
        raise MediaRefused(f"could not be fetched ({exc.__class__.__name__})") from exc
