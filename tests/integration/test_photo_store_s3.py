"""Photo storage: the local folder and an S3-compatible store keep the same promises.

The S3 side talks to a real S3 server (moto in server mode, started here on a
free loopback port) through boto3 over HTTP: no mocked client.
"""

from __future__ import annotations

import io
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from PIL import Image
from sqlalchemy import Connection, text

from db.complaints import Actor, NewComplaint, create_complaint
from loopback import free_port
from photos.s3 import S3Store
from photos.store import LocalStore, PhotoStore
from photos.upload import save_photo
from tests.conftest import ROOT, inside

BUCKET = "pantau-photos"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on loopback, with the AWS variables pointing at it."""
    port = free_port()
    log = open(os.devnull, "wb")  # noqa: SIM115  (closed after the server stops)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(endpoint, timeout=5)
                break
            # Not listening yet, or listening but still loading (its first answer can take seconds).
            except (requests.ConnectionError, requests.Timeout):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("AWS_ENDPOINT_URL_S3", endpoint)
            mp.setenv("AWS_ACCESS_KEY_ID", "pantau-test")
            mp.setenv("AWS_SECRET_ACCESS_KEY", "pantau-test-secret")
            mp.setenv("AWS_REGION", "us-east-1")
            boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
            yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PhotoStore:
    if request.param == "local":
        return LocalStore(tmp_path / "photos")
    request.getfixturevalue("s3_endpoint")
    return S3Store.from_url(f"s3://{BUCKET}/{request.node.name}/")


def test_a_photo_put_can_be_read_back_byte_for_byte(store: PhotoStore) -> None:
    data = bytes(range(256)) * 64
    assert not store.exists("ab/abcdef.jpg")
    store.put("ab/abcdef.jpg", data)
    assert store.exists("ab/abcdef.jpg")
    assert store.get("ab/abcdef.jpg") == data


def test_putting_again_under_the_same_key_replaces_the_photo(store: PhotoStore) -> None:
    store.put("cd/same.jpg", b"first version")
    store.put("cd/same.jpg", b"second")
    assert store.get("cd/same.jpg") == b"second"


def test_a_missing_photo_is_reported_as_missing(store: PhotoStore) -> None:
    assert not store.exists("ef/never-stored.jpg")
    with pytest.raises(FileNotFoundError):
        store.get("ef/never-stored.jpg")


@pytest.mark.parametrize("key", ["../outside.jpg", "/etc/passwd", "ab/../../outside.jpg", ""])
def test_a_key_that_escapes_the_store_is_refused(store: PhotoStore, key: str) -> None:
    with pytest.raises(ValueError, match="escapes the store"):
        store.put(key, b"x")
    with pytest.raises(ValueError, match="escapes the store"):
        store.exists(key)


def test_the_s3_url_names_bucket_and_prefix() -> None:
    parsed = S3Store.from_url("s3://city-photos/pantau/prod/")
    assert (parsed.bucket, parsed.prefix) == ("city-photos", "pantau/prod")
    with pytest.raises(ValueError, match="bucket"):
        S3Store.from_url("s3:///prefix-only")


def test_an_uploaded_photo_is_stored_in_s3_with_its_thumbnail(s3_endpoint: str, conn: Connection) -> None:
    lat, lon = inside(conn, "3671011001")
    created = create_complaint(
        conn, NewComplaint(category="jalan_rusak", description="Lubang besar di jalan", lat=lat, lon=lon)
    )
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(picture, "PNG")
    store = S3Store.from_url(f"s3://{BUCKET}/uploads")

    stored = save_photo(conn, store, created.id, picture.getvalue(), "report", Actor(role="public"), 5_000_000)

    keys = conn.execute(text("SELECT storage_key, thumb_key FROM photo WHERE id = :id"), {"id": stored.id}).one()
    jpeg = store.get(keys.storage_key)
    assert jpeg.startswith(b"\xff\xd8") and len(jpeg) == stored.byte_size
    assert Image.open(io.BytesIO(jpeg)).size == (800, 600)
    assert Image.open(io.BytesIO(store.get(keys.thumb_key))).size == (320, 240)
    raw = boto3.client("s3").head_object(Bucket=BUCKET, Key=f"uploads/{keys.storage_key}")
    assert raw["ContentType"] == "image/jpeg"
