"""Open311 and intake latency over HTTP against the served app, with 1,000,000 complaints.

Figures, each suffixed with the database size (``_1000000``):

- ``open311_requests_json_ms`` / ``open311_requests_xml_ms``: ``GET requests`` with
  the spec's defaults (last 90 days, the first 1000 requests) and
  ``extensions=true``, median of 5 after one warm-up;
- ``open311_requests_bbox_ms``: open requests in a 1 km box, median of 10;
- ``open311_request_by_id_ms``: ``GET requests/<id>.json``, median of 20;
- ``open311_post_ms``: ``POST requests.json`` (stored and routed), median of 10;
- ``sms_inbound_ms``: ``POST /api/v1/inbound/sms`` placed by kelurahan name, median of 10.

``PANTAU_BENCH_INTAKE_SIZES`` (default ``1000000``) picks the database sizes.
What the bench creates (complaints, its API key) is removed afterwards, so the
kept benchmark database keeps its size.
"""

from __future__ import annotations

import os
import statistics
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, text

from bench.common import bench_database, bench_url, created_after, emit, log, remove_complaints, served

SECRET = "bench-sms-secret"


def _median_ms(call: Callable[[], bytes], times: int, warm: bool = True) -> tuple[float, int]:
    if warm:
        call()
    samples, size = [], 0
    for _ in range(times):
        started = time.perf_counter()
        size = len(call())
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), size


def _get(url: str) -> Callable[[], bytes]:
    def call() -> bytes:
        with urllib.request.urlopen(url, timeout=120) as response:
            return bytes(response.read())

    return call


def _post(url: str, fields: Callable[[], dict[str, str]], headers: dict[str, str] | None = None) -> Callable[[], bytes]:
    def call() -> bytes:
        data = urllib.parse.urlencode(fields()).encode()
        request = urllib.request.Request(url, data=data, headers=headers or {})
        with urllib.request.urlopen(request, timeout=60) as response:
            return bytes(response.read())

    return call


def _remove_created(engine: Engine, since_id: int, key_name: str) -> None:
    remove_complaints(engine, created_after(engine, since_id))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM api_key WHERE name = :n"), {"n": key_name})


def bench_size(size: int) -> None:
    from db.accounts import create_api_key

    engine = bench_database(size)
    key_name = f"bench-intake-{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        key = create_api_key(conn, key_name)
        last_id = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM complaint")).scalar_one())
        some = conn.execute(
            text("SELECT tracking_code FROM complaint WHERE NOT confidential ORDER BY id DESC LIMIT 1")
        ).scalar()
        centre = conn.execute(
            text(
                "SELECT ST_Y(p), ST_X(p) FROM area, LATERAL ST_PointOnSurface(geom) p WHERE level = 'kelurahan' ORDER BY code LIMIT 1"
            )
        ).one()
    os.environ["PANTAU_SUBMIT_RATE"] = "100000/minute"
    os.environ["PANTAU_SMS_SECRET"] = SECRET
    lat, lon = float(centre[0]), float(centre[1])
    counter = iter(range(10**9))
    try:
        with served(bench_url(size)) as base:
            api = f"{base}/open311/v2"
            for fmt in ("json", "xml"):
                ms, size_bytes = _median_ms(_get(f"{api}/requests.{fmt}?extensions=true"), 5)
                emit(f"open311_requests_{fmt}_ms_{size}", ms, "ms")
                log(f"requests.{fmt}: {size_bytes} bytes")
            box = f"{lon - 0.0045},{lat - 0.0045},{lon + 0.0045},{lat + 0.0045}"
            emit(
                f"open311_requests_bbox_ms_{size}",
                _median_ms(_get(f"{api}/requests.json?status=open&bbox={box}"), 10)[0],
                "ms",
            )
            if some:
                emit(
                    f"open311_request_by_id_ms_{size}",
                    _median_ms(_get(f"{api}/requests/{some}.json?extensions=true"), 20)[0],
                    "ms",
                )
            post = _post(
                f"{api}/requests.json",
                lambda: {
                    "api_key": key,
                    "service_code": "sampah",
                    "lat": str(lat),
                    "long": str(lon),
                    "description": f"bench {next(counter)}",
                },
            )
            emit(f"open311_post_ms_{size}", _median_ms(post, 10)[0], "ms")
            sms = _post(
                f"{base}/api/v1/inbound/sms",
                lambda: {"sender": f"+62{next(counter)}", "text": "LAPOR sampah menumpuk #Cipete"},
                {"X-Pantau-Secret": SECRET},
            )
            emit(f"sms_inbound_ms_{size}", _median_ms(sms, 10)[0], "ms")
    finally:
        _remove_created(engine, last_id, key_name)


def run() -> None:
    sizes = [int(s) for s in os.environ.get("PANTAU_BENCH_INTAKE_SIZES", "1000000").split(",") if s.strip()]
    for size in sizes:
        bench_size(size)
