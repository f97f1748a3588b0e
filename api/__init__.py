"""The JSON API and Open311 GeoReport v2, as Flask blueprints on the Dash server."""

from __future__ import annotations

from flask import Flask


def register_api(server: Flask) -> None:
    """Attach authentication and every API blueprint to ``server``."""
    from api.auth import init_auth

    init_auth(server)
