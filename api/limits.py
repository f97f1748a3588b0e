"""Rate limits on report submissions (flask-limiter), shared by every intake door.

One limit, ``PANTAU_SUBMIT_RATE``, counted per client: the IP address for the
web form and Open311, the sender's number for SMS (the gateway is one IP for
everybody). Counters live in Redis when ``PANTAU_REDIS_URL`` is set, so every
worker counts together; otherwise in this process's memory.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

from settings import get_settings

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def submit_rate() -> str:
    """The configured limit, as flask-limiter reads it (``10/minute``)."""
    return get_settings().submit_rate


def init_limits(server: Flask) -> None:
    settings = get_settings()
    server.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    limiter.init_app(server)


def allow_submission(scope: str, who: str | None = None) -> bool:
    """Count one submission for ``who`` (default: the request's IP) in ``scope``; False once over the limit.

    For submissions that do not arrive as their own Flask route, such as the
    Dash callback behind ``/lapor``.
    """
    return limiter.limiter.hit(parse(submit_rate()), "submit", scope, who or get_remote_address())
