"""Security headers on every response; secure cookies and HSTS only over HTTPS."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask, session

from api.security import content_security_policy, init_security, script_hashes
from settings import get_settings


def test_pages_carry_the_security_headers_and_a_csp_without_unsafe_inline_scripts(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/login")
    assert response.status_code == 200
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    # Every inline script Dash wrote into this page is allowed by its hash, and nothing else is.
    assert sorted(re.findall(r"'sha256-[^']+'", csp["script-src"])) == script_hashes(response.get_data(as_text=True))
    assert "Strict-Transport-Security" not in headers
    assert all("Secure" not in cookie for cookie in headers.getlist("Set-Cookie"))


def test_json_and_assets_carry_nosniff_too(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/healthz", "/assets/base.css"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path


def test_over_https_cookies_are_secure_and_hsts_is_sent(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/login", base_url="https://pantau.example.go.id")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies), cookies


def test_the_tile_server_is_the_only_other_origin_the_page_may_reach() -> None:
    csp = content_security_policy([], "https://tiles.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://tiles.example.org;" in csp
    assert "connect-src 'self' https://tiles.example.org;" in csp
    assert "https://" not in content_security_policy([], "")


@pytest.fixture
def proxied_app(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A bare Flask app with the security set-up, built with PANTAU_BEHIND_PROXY=param."""
    monkeypatch.setenv("PANTAU_BEHIND_PROXY", str(request.param))
    get_settings.cache_clear()
    app = Flask(__name__)
    app.secret_key = "test"
    init_security(app)

    @app.get("/hello")
    def hello() -> str:
        session["seen"] = True
        return "hello"

    try:
        yield app
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize("proxied_app", [1], indirect=True)
def test_behind_a_trusted_proxy_its_https_counts(proxied_app: Flask) -> None:
    response = proxied_app.test_client().get("/hello", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    assert "; Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("proxied_app", [0], indirect=True)
def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(proxied_app: Flask) -> None:
    response = proxied_app.test_client().get("/hello", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]
