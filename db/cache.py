"""The app's shared cache (flask-caching: Redis when ``PANTAU_REDIS_URL`` is set, else in-process), one way in.

Reached through the running Flask app, so that nothing here or in its callers imports app.py (which builds it).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context


def app_cache() -> Any | None:
    """The cache backend (``get``/``set``/``delete``), or None outside a running app (a CLI command, a test)."""
    if not has_app_context():
        return None
    return next(iter(current_app.extensions.get("cache", {}).values()), None)
