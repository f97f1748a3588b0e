"""make backup / make restore: everything comes back byte for byte, and a damaged archive changes nothing.

Runs on its own database (the test database's name + ``_backup``) in the same
server, through the same scripts ``make backup`` and ``make restore`` run.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.complaints import Actor, NewComplaint, create_complaint
from db.engine import make_engine
from photos.store import LocalStore
from photos.upload import save_photo
from services.backup import photo_keys
from tests.conftest import ROOT, TEST_URL


def _set_up(url: str, store: LocalStore) -> None:
    from db.boundaries import load_boundaries
    from db.catalogue import load_catalogue
    from db.migrate import migrate_database
    from geo.boundaries.reader import default_files, read_boundaries
    from services.demo import seed_demo
    from settings import get_settings

    engine = make_engine(url)
    migrate_database(engine)
    with engine.begin() as conn:
        for path, level in default_files(get_settings().boundaries_dir):
            load_boundaries(conn, read_boundaries(path, level), str(path))
        load_catalogue(conn)
        seed_demo(conn, store, 40, seed=3)
        lat, lon = conn.execute(
            text(
                "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area WHERE level = 'kelurahan' LIMIT 1) x"
            )
        ).one()
        created = create_complaint(
            conn,
            NewComplaint(
                category="jalan_rusak",
                description="Trotoar ambles — ada lubang 1 m; 'kutip' \"ganda\" & <b>tag</b> 🙂",
                lat=lat,
                lon=lon,
                reporter_name="Siti Rahmawati",
                reporter_contact="081234567890",
                confidential=True,
            ),
        )
        picture = io.BytesIO()
        Image.new("RGB", (640, 480), (10, 120, 200)).save(picture, "PNG")
        save_photo(conn, store, created.id, picture.getvalue(), "report", Actor(role="public"), 5_000_000)
    engine.dispose()


@pytest.fixture(scope="module")
def backup_db(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A separate, migrated database with complaints and photos, and its own data folder."""
    target = make_url(TEST_URL).set(database=f"{make_url(TEST_URL).database}_backup")
    url = target.render_as_string(hide_password=False)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    data_dir = tmp_path_factory.mktemp("backup-data")
    _set_up(url, LocalStore(data_dir / "photos"))
    yield url, data_dir
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def _script(name: str, *args: str, url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "PANTAU_DATA_DIR": str(data_dir), "PANTAU_PHOTO_STORE": ""}
    return subprocess.run(
        [str(ROOT / "scripts" / name), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _snapshot(url: str, data_dir: Path) -> dict[str, object]:
    """Every complaint, event and photo row as text, and the bytes of every file a photo row refers to."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = {
            table: conn.execute(text(f"SELECT t::text FROM {table} t ORDER BY id")).scalars().all()
            for table in ("complaint", "complaint_event", "photo")
        }
        rows["data_version"] = conn.execute(text("SELECT version FROM data_version")).scalars().all()
        keys = photo_keys(conn)
    engine.dispose()
    store = LocalStore(data_dir / "photos")
    return {"rows": rows, "files": {key: store.get(key) for key in keys}}


def _wipe(url: str, data_dir: Path) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text("TRUNCATE complaint_event, photo, complaint, complaint_status_count RESTART IDENTITY CASCADE")
        )
    engine.dispose()
    shutil.rmtree(data_dir / "photos")


def test_back_up_wipe_restore_brings_every_complaint_and_photo_back_byte_for_byte(backup_db: tuple[str, Path]) -> None:
    url, data_dir = backup_db
    before = _snapshot(url, data_dir)
    assert len(before["rows"]["complaint"]) == 41 and len(before["files"]) >= 6  # type: ignore[index]

    made = _script("backup.sh", url=url, data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip().splitlines()[-1])
    assert archive.parent == data_dir / "backups" and archive.name.startswith("pantau-") and archive.is_file()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"MANIFEST.sha256", "database.dump", "backup.json"} <= set(names)
    assert {f"photos/{key}" for key in before["files"]} == {n for n in names if n.startswith("photos/")}  # type: ignore[attr-defined]

    _wipe(url, data_dir)
    assert _snapshot(url, data_dir)["rows"]["complaint"] == []  # type: ignore[index]

    restored = _script("restore.sh", str(archive), url=url, data_dir=data_dir)
    assert restored.returncode == 0, restored.stderr
    assert "restored 41 complaints" in restored.stdout
    assert _snapshot(url, data_dir) == before

    # The restored database keeps working: a new report is stored and routed as usual.
    engine = make_engine(url)
    with engine.begin() as conn:
        created = create_complaint(conn, NewComplaint(category="jalan_rusak", description="Setelah pemulihan"))
        assert not created.duplicate_submission and created.id == 42
    engine.dispose()


def test_a_damaged_archive_is_refused_and_nothing_is_changed(backup_db: tuple[str, Path], tmp_path: Path) -> None:
    url, data_dir = backup_db
    made = _script("backup.sh", "--dir", str(tmp_path), url=url, data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip().splitlines()[-1])
    # Something changes after the backup: a refused restore must leave it in place.
    engine = make_engine(url)
    with engine.begin() as conn:
        newer = create_complaint(conn, NewComplaint(category="jalan_rusak", description="Dibuat setelah cadangan"))
    engine.dispose()
    before = _snapshot(url, data_dir)

    with tarfile.open(archive) as tar:
        victim = next(m for m in tar.getmembers() if m.name.startswith("photos/"))
    damaged = tmp_path / "damaged.tar"
    data = bytearray(archive.read_bytes())
    data[victim.offset_data + 10] ^= 0xFF  # one flipped bit pattern inside one photo
    damaged.write_bytes(bytes(data))

    refused = _script("restore.sh", str(damaged), url=url, data_dir=data_dir)
    assert refused.returncode != 0
    assert f"checksum mismatch for '{victim.name}'" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert "Traceback" not in refused.stderr
    after = _snapshot(url, data_dir)
    assert after == before
    assert any(row.startswith(f"({newer.id},") for row in after["rows"]["complaint"])  # type: ignore[index]

    not_a_backup = tmp_path / "notes.tar"
    with tarfile.open(not_a_backup, "w") as tar:
        tar.add(__file__, arcname="notes.txt")
    refused = _script("restore.sh", str(not_a_backup), url=url, data_dir=data_dir)
    assert refused.returncode != 0 and "not a Pantau backup" in refused.stderr
