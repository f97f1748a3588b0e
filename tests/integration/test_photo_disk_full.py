"""A full photo disk: the upload gets a clear 507/503 message, the database keeps nothing of it, and no
temporary file is left behind.

The photo folder is a real 2 MB tmpfs, filled to the last byte. Mounting it
needs root, which the suite has in CI; as another user these tests fail with
that reason (they never skip).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.conftest import inside
from tests.integration.intake import TANGERANG_BABAKAN, send_photo, send_report
from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    jpeg,
    new_complaint,
    upload,
)

pytestmark = pytest.mark.usefixtures("fresh_limits")


def _fill(folder: Path) -> None:
    """Write to ``folder`` until its filesystem has no byte left (unbuffered: the last write is short)."""
    chunk = b"\0" * 65536
    with (folder / "fill.bin").open("wb", buffering=0) as handle:
        while True:
            try:
                handle.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                return


@pytest.fixture
def full_disk() -> Iterator[Path]:
    """The app's photo folder (``PANTAU_DATA_DIR/photos``) on a 2 MB tmpfs with no room left."""
    from settings import get_settings

    assert os.geteuid() == 0, "this test mounts a 2 MB tmpfs as the photo folder, which needs root (CI runs as root)"
    data_dir = Path(tempfile.mkdtemp(prefix="pantau-disk-full-"))
    photos = data_dir / "photos"
    photos.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(photos)], check=True)
    previous = os.environ["PANTAU_DATA_DIR"]
    try:
        os.environ["PANTAU_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()
        assert get_settings().photos_dir == photos
        _fill(photos)
        yield photos
    finally:
        os.environ["PANTAU_DATA_DIR"] = previous
        get_settings.cache_clear()
        subprocess.run(["umount", str(photos)], check=True)
        shutil.rmtree(data_dir)


def _stray(photos: Path) -> list[str]:
    return [str(p.relative_to(photos)) for p in photos.rglob(".tmp-*")]


def _snapshot(engine: Engine, code: str | None = None) -> dict[str, Any]:
    """Row counts of everything an upload could touch, and the complaint's own state."""
    with engine.connect() as conn:
        snapshot = dict(
            conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM complaint) AS complaints, (SELECT count(*) FROM photo) AS photos, "
                    "(SELECT count(*) FROM complaint_event) AS events"
                )
            )
            .mappings()
            .one()
        )
        if code:
            snapshot["complaint"] = dict(
                conn.execute(
                    text("SELECT status, version, updated_at FROM complaint WHERE tracking_code = :c"), {"c": code}
                )
                .mappings()
                .one()
            )
    return snapshot


def test_a_completion_photo_on_a_full_disk_gets_507_and_changes_nothing(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts, full_disk: Path
) -> None:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    field = accounts("field")
    assert act(client, operator, code, action="verify").status_code == 200
    assert act(client, operator, code, action="assign", assignee=field.username).status_code == 200
    headers = bearer(client, field)
    before = _snapshot(engine, code)

    response = upload(client, headers, code, jpeg(size=(320, 240)))

    assert response.status_code == 507
    body = response.get_json()
    assert body["reason"] == "photo_storage_full" and "photo storage is full" in body["error"]
    assert _snapshot(engine, code) == before
    assert _stray(full_disk) == []
    assert act(client, headers, code, action="complete").status_code == 409  # still no completion photo

    (full_disk / "fill.bin").unlink()  # room again: the same upload now works
    assert upload(client, headers, code, jpeg(size=(320, 240))).status_code == 201


def test_a_citizen_report_with_a_photo_on_a_full_disk_is_not_half_stored(
    client: Any, engine: Engine, full_disk: Path
) -> None:
    """The report and its photo are one transaction: with no room for the photo, neither is kept."""
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    description = f"sampah menumpuk, disk penuh {os.getpid()}"
    staged, _ = send_photo(client, jpeg(size=(320, 240)), "foto.jpg")  # waits in the database, not on the disk
    before = _snapshot(engine)

    response = send_report(
        client, category="sampah", lat=str(lat), lon=str(lon), description=description, photos=staged
    )

    assert response.status_code == 503  # what the page's banner (assets/pantau_errors.js) shows
    assert response.get_json()["reason"] == "photo_storage_full"
    assert _snapshot(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1 FROM complaint WHERE description = :d"), {"d": description}).first() is None
        # The photo still waits, so the same report can be sent again once there is room.
        waiting = text("SELECT count(*) FROM photo_upload WHERE token = :t")
        assert conn.execute(waiting, {"t": staged[0]["token"]}).scalar_one() == 1
    assert _stray(full_disk) == []
