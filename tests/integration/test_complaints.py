"""Storing complaints: validation, duplicates, history, status changes, concurrency."""

import io
import math
import re
import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from db.complaints import (
    Actor,
    ComplaintError,
    ConflictError,
    NewComplaint,
    create_complaint,
    events,
    transition,
)
from db.status import Status, TransitionError
from photos.store import LocalStore
from photos.upload import save_photo
from services.intake import import_complaints
from tests.conftest import inside
from tests.integration.staff import site_photo

OPERATOR = Actor(role="operator")


def report(conn: Connection, **overrides: object) -> NewComplaint:
    lat, lon = inside(conn)
    values: dict[str, object] = {
        "category": "jalan_rusak",
        "description": "Jalan berlubang di depan SD",
        "lat": lat,
        "lon": lon,
    }
    values.update(overrides)
    return NewComplaint(**values)  # type: ignore[arg-type]


def test_a_complaint_is_stored_routed_and_given_a_tracking_code(conn: Connection) -> None:
    created = create_complaint(conn, report(conn, reporter_name="Siti", reporter_contact="0812"))
    row = conn.execute(
        text(
            "SELECT c.status, kel.code kel, kec.code kec, kota.code kota, o.code opd, c.due_at > c.created_at AS due_later, "
            "c.reporter_name, c.channel FROM complaint c JOIN area kel ON kel.id = c.kelurahan_id "
            "JOIN area kec ON kec.id = c.kecamatan_id JOIN area kota ON kota.id = c.jurisdiction_id "
            "JOIN opd o ON o.id = c.opd_id WHERE c.id = :id"
        ),
        {"id": created.id},
    ).one()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", created.tracking_code)
    assert (row.status, row.kel, row.kec, row.kota, row.opd) == ("baru", "3671011001", "367101", "3671", "3671.DBMSDA")
    assert row.due_later and row.reporter_name == "Siti" and row.channel == "web"
    assert [e["kind"] for e in events(conn, created.id)] == ["created", "routed"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lat": 91.0}, "lat"),
        ({"lat": -90.5}, "lat"),
        ({"lon": 181.0}, "lon"),
        ({"lat": math.nan}, "lat"),
        ({"lon": math.inf}, "lon"),
        ({"lat": "minus enam"}, "lat"),
        ({"lat": None}, "location"),
        ({"category": "ufo"}, "category"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    conn: Connection, overrides: dict, field: str
) -> None:
    before = conn.execute(text("SELECT count(*) FROM complaint")).scalar()
    with pytest.raises(ComplaintError) as err:
        create_complaint(conn, report(conn, **overrides))
    assert err.value.field == field
    assert conn.execute(text("SELECT count(*) FROM complaint")).scalar() == before


def test_the_same_submission_twice_is_one_complaint(conn: Connection) -> None:
    first = create_complaint(conn, report(conn, reporter_contact="0812-1"))
    again = create_complaint(
        conn, report(conn, reporter_contact="0812-1", description="  Jalan  berlubang di depan SD ")
    )
    assert again.id == first.id and again.duplicate_submission and not first.duplicate_submission
    keyed = create_complaint(conn, report(conn, idempotency_key="app-123", description="lain"))
    retried = create_complaint(conn, report(conn, idempotency_key="app-123", description="lain sekali"))
    assert retried.id == keyed.id and retried.duplicate_submission


def test_a_repeat_matches_only_the_same_reporter_with_the_same_choices(conn: Connection) -> None:
    first = create_complaint(conn, report(conn, reporter_contact="0812-2"))
    # The same words, place and day, but sent as confidential, as anonymous, or by someone else: new reports.
    variants = [
        create_complaint(conn, report(conn, reporter_contact="0812-2", confidential=True)),
        create_complaint(conn, report(conn, reporter_contact="0812-2", anonymous=True)),
        create_complaint(conn, report(conn, reporter_contact="0813-9")),
        create_complaint(conn, report(conn)),
        create_complaint(conn, report(conn, reporter_contact="0812-2", source="another-app")),
    ]
    assert len({first.id, *(v.id for v in variants)}) == 6
    assert not any(v.duplicate_submission for v in variants)
    stored = conn.execute(text("SELECT confidential FROM complaint WHERE id = :i"), {"i": variants[0].id}).scalar()
    assert stored is True
    # The same client key from another reporter or with other choices is not a retry either.
    keyed = create_complaint(conn, report(conn, idempotency_key="app-9", reporter_contact="0812-2"))
    other = create_complaint(conn, report(conn, idempotency_key="app-9", reporter_contact="0812-2", confidential=True))
    assert other.id != keyed.id and not other.duplicate_submission


def test_an_anonymous_report_keeps_no_identity(conn: Connection) -> None:
    created = create_complaint(
        conn, report(conn, anonymous=True, reporter_name="Budi", reporter_contact="budi@example.id")
    )
    row = conn.execute(
        text("SELECT reporter_name, reporter_contact, anonymous FROM complaint WHERE id = :id"), {"id": created.id}
    ).one()
    assert tuple(row) == (None, None, True)


def test_an_anonymous_report_keeps_no_identity_whatever_the_door(conn: Connection, tmp_path: Path) -> None:
    """Open311, /lapor and SMS store through create_complaint; files through the bulk import."""
    app_ids = {"account_id": "akun-5521", "device_id": "perangkat-7f3a", "media_url": "https://example.org/a.jpg"}
    created = create_complaint(
        conn, report(conn, anonymous=True, reporter_name="Budi", reporter_contact="0813-1111", attributes=app_ids)
    )
    row = conn.execute(
        text("SELECT reporter_name, reporter_contact, attributes FROM complaint WHERE id = :id"), {"id": created.id}
    ).one()
    assert tuple(row) == (None, None, {"media_url": "https://example.org/a.jpg"})
    # Nothing kept depends on who sent it: the same report from another number is the same report.
    again = create_complaint(
        conn, report(conn, anonymous=True, reporter_name="Ani", reporter_contact="0813-2222", attributes=app_ids)
    )
    assert again.duplicate_submission and again.id == created.id

    lat, lon = inside(conn)
    path = tmp_path / "anonim.csv"
    path.write_text(
        "category,description,lat,lon,reporter_name,reporter_contact,anonymous\n"
        f"sampah,Sampah di pinggir kali,{lat},{lon},Budi,0813-1111,ya\n"
        f"sampah,Sampah di pinggir kali,{lat},{lon},Ani,0813-2222,ya\n"
    )
    result = import_complaints(conn, path)
    assert (result.stored, result.errors) == (1, [])
    rows = conn.execute(
        text("SELECT reporter_name, reporter_contact FROM complaint WHERE description = 'Sampah di pinggir kali'")
    ).all()
    assert [tuple(r) for r in rows] == [(None, None)]


def test_the_history_cannot_be_rewritten(conn: Connection) -> None:
    created = create_complaint(conn, report(conn))
    with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
        conn.execute(text("UPDATE complaint_event SET note = 'diubah' WHERE complaint_id = :id"), {"id": created.id})
    with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
        conn.execute(text("DELETE FROM complaint_event WHERE complaint_id = :id"), {"id": created.id})


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def test_full_path_to_green_needs_a_completion_photo(conn: Connection, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from db.accounts import create_user

    create_user(conn, "lapangan_uji", "rahasia-sekali", "field", opd="3671.DBMSDA")
    created = create_complaint(conn, report(conn))
    transition(conn, created.id, "verify", OPERATOR)
    transition(conn, created.id, "forward", OPERATOR, opd="3671.DBMSDA", reason="kewenangan DBMSDA")
    transition(conn, created.id, "assign", OPERATOR, assignee="lapangan_uji")
    transition(conn, created.id, "start", Actor(role="field"))
    with pytest.raises(TransitionError, match="completion photo"):
        transition(conn, created.id, "complete", Actor(role="field"))
    photo = site_photo(conn, created.id)  # taken at the report's place
    save_photo(conn, LocalStore(tmp_path), created.id, photo, "completion", Actor(role="field"), 10_000_000)
    row = transition(conn, created.id, "complete", Actor(role="field"), note="sudah ditambal")
    assert row["status"] == "selesai" and row["completed_at"] is not None
    kinds = [e["kind"] for e in events(conn, created.id)]
    assert kinds == [
        "created",
        "routed",
        "verified",
        "forwarded",
        "assigned",
        "status_changed",
        "photo_added",
        "status_changed",
    ]
    forwarded = events(conn, created.id)[3]
    assert forwarded["data"]["to_opd"] == "3671.DBMSDA" and forwarded["data"]["reason"] == "kewenangan DBMSDA"


def test_forwarding_a_triaged_report_to_a_city_routes_it_there(conn: Connection) -> None:
    created = create_complaint(
        conn, NewComplaint(category="adminduk", description="KTP hilang", lat=-6.2088, lon=106.8456)
    )
    assert created.status == Status.LUAR_WILAYAH
    row = transition(conn, created.id, "forward", OPERATOR, kota="3674", reason="warga Tangsel")
    opd = conn.execute(text("SELECT code FROM opd WHERE id = :i"), {"i": row["opd_id"]}).scalar()
    assert row["status"] == "diteruskan" and opd == "3674.DUKCAPIL"


def test_a_stale_version_is_a_conflict_not_a_silent_overwrite(conn: Connection) -> None:
    created = create_complaint(conn, report(conn))
    version = conn.execute(text("SELECT version FROM complaint WHERE id = :id"), {"id": created.id}).scalar()
    transition(conn, created.id, "verify", OPERATOR, expected_version=version)
    with pytest.raises(ConflictError, match="changed meanwhile"):
        transition(conn, created.id, "reject", OPERATOR, reason="spam", expected_version=version)


def test_the_data_version_moves_with_each_committed_change(engine: Engine, committed: list[int]) -> None:
    def version() -> int:
        with engine.connect() as c:
            return int(c.execute(text("SELECT version FROM data_version")).scalar_one())

    before = version()
    with engine.begin() as c:
        created = create_complaint(c, report(c, description="versi data"))
        committed.append(created.id)
    after = version()
    assert after == before + 1
    with engine.connect() as c:
        seq = c.execute(text("SELECT change_seq FROM complaint WHERE id = :id"), {"id": created.id}).scalar()
        got = c.execute(text("SELECT version FROM complaint_change_version WHERE token = :t"), {"t": seq}).scalar()
        newer = c.execute(
            text(
                "SELECT count(*) FROM complaint c JOIN complaint_change_version v ON v.token = c.change_seq"
                " WHERE v.version > :v"
            ),
            {"v": before},
        ).scalar()
    assert got == after and newer == 1


def test_two_concurrent_changes_to_one_complaint_both_survive(engine: Engine, committed: list[int]) -> None:
    with engine.begin() as c:
        created = create_complaint(c, report(c, description="dua operator sekaligus"))
        committed.append(created.id)
    first_holds_lock = threading.Event()
    errors: list[BaseException] = []

    def second_operator() -> None:
        first_holds_lock.wait(10)
        try:
            with engine.begin() as c:
                # Blocks on the row lock until the first commits, then sees 'terverifikasi'.
                transition(c, created.id, "forward", OPERATOR, opd="3671.DISHUB", reason="lalu lintas")
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=second_operator)
    worker.start()
    with engine.begin() as c:
        transition(c, created.id, "verify", OPERATOR)
        first_holds_lock.set()
        worker.join(0.5)
        assert worker.is_alive(), "the second change must wait for the first"
    worker.join(10)
    assert not errors
    with engine.connect() as c:
        status = c.execute(text("SELECT status FROM complaint WHERE id = :id"), {"id": created.id}).scalar()
        kinds = [e["kind"] for e in events(c, created.id)]
    assert status == "diteruskan"
    assert kinds == ["created", "routed", "verified", "forwarded"]


def test_two_concurrent_identical_actions_one_wins_one_is_refused(engine: Engine, committed: list[int]) -> None:
    with engine.begin() as c:
        created = create_complaint(c, report(c, description="dua verifikasi"))
        committed.append(created.id)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def verify() -> None:
        barrier.wait(10)
        try:
            with engine.begin() as c:
                transition(c, created.id, "verify", OPERATOR)
            outcomes.append("ok")
        except TransitionError as exc:
            outcomes.append(f"refused:{exc.current}")

    threads = [threading.Thread(target=verify) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(20)
    assert sorted(outcomes) == ["ok", "refused:terverifikasi"]
