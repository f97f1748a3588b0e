"""Exports of a filtered set of complaints: ``/api/v1/export.csv``, ``.geojson`` and ``.xlsx``.

They take the leaders' page parameters (``db/filters.py``) and a leader's (or
operator's, OPD's, admin's) bearer token or session, and apply the same scope
as the page (``services.permissions.scope_of``): an account limited to some
kecamatan exports only those, one limited to an agency only its complaints.
Rows are streamed: CSV straight from PostgreSQL's COPY, GeoJSON through a server-side cursor, XLSX written row by row
(xlsxwriter's constant-memory mode) to a temporary file that is then sent in
chunks, since an xlsx file is a zip that cannot be sent while it is written.
Memory stays flat whatever the row count. Every export is an audit event
(format, filters, row count), recorded before the first row is sent.

Progress: every response carries ``X-Total-Count`` (the rows it will hold,
counted first), so a client can show how far it is. A ``progress=<token>``
parameter also records the rows sent so far in the app cache under that token;
the leaders' page polls it to draw a progress bar beside the download link
(with several worker processes this needs ``PANTAU_REDIS_URL``).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import Connection, text

from api import schemas
from api.auth import audit, current_staff
from api.openapi import operation
from db.cache import app_cache
from db.engine import get_engine, read_connection
from db.filters import WIB, FilterError, Resolved, ScopeError, parse_filters, resolve
from db.leaders import SheetWords, copy_csv, export_count, iter_export, iter_sheet, sheet_columns
from db.models import CHANNELS
from db.status import Colour, Status
from i18n import current_lang, t
from services.permissions import may_open, scope_of

bp = Blueprint("export", __name__)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX_MAX_ROWS = 1_048_575  # per sheet, under the header line
PROGRESS_EVERY = 10_000
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def progress_key(user_id: int, token: str) -> str:
    return f"pantau:export-progress:{user_id}:{token}"


class _Progress:
    """Rows sent so far, recorded in the cache every PROGRESS_EVERY rows (and at the end)."""

    def __init__(self, key: str | None, total: int):
        self.key, self.total, self.rows = key, total, 0
        self.backend = app_cache() if key else None
        self._write(done=False)

    def _write(self, done: bool) -> None:
        if self.backend is not None:
            state = schemas.ExportProgress(rows=self.rows, total=self.total, done=done)
            self.backend.set(self.key, state.model_dump(), timeout=3600)

    def add(self, rows: int) -> None:
        before = self.rows // PROGRESS_EVERY
        self.rows += rows
        if self.rows // PROGRESS_EVERY != before:
            self._write(done=False)

    def finish(self) -> None:
        self.rows = self.total
        self._write(done=True)


def _unlimited(conn: Connection) -> None:
    # An export runs as long as the client reads; the per-statement timeout is for pages.
    conn.execute(text("SET LOCAL statement_timeout = 0"))


def sheet_words(lang: str) -> SheetWords:
    """The words a CSV or XLSX export writes for codes, in ``lang``."""
    return SheetWords(
        lang=lang,
        statuses={s.value: t(f"status.{s.value}", lang) for s in Status},
        colours={c.value: t(f"export.colour_{c.value}", lang) for c in Colour},
        channels={c: t(f"channel.{c}", lang) for c in CHANNELS},
        yes=t("export.yes", lang),
        no=t("export.no", lang),
    )


def headers(columns: list[str], lang: str) -> list[str]:
    """The header line of a CSV or XLSX export: each column's name in ``lang``."""
    return [t(f"export.col_{column}", lang) for column in columns]


def _csv_line(values: list[str]) -> bytes:
    line = io.StringIO()
    csv.writer(line).writerow(values)
    return line.getvalue().encode()


def _csv(resolved: Resolved, words: SheetWords, progress: _Progress) -> Iterator[bytes]:
    with read_connection() as conn:
        _unlimited(conn)
        yield _csv_line(headers(sheet_columns(conn, resolved, words), words.lang))
        for chunk in copy_csv(conn, resolved, words):
            progress.add(chunk.count(b"\n"))
            yield chunk
    progress.finish()


def _geojson(resolved: Resolved, progress: _Progress) -> Iterator[bytes]:
    with read_connection() as conn:
        _unlimited(conn)
        rows = iter_export(conn, resolved, geojson=True)
        batch: list[str] = []
        head = '{"type": "FeatureCollection", "features": [\n'
        for row in rows:
            batch.append(row.feature)
            if len(batch) >= 2000:
                yield (head + ",\n".join(batch)).encode()
                progress.add(len(batch))
                head, batch = ",\n", []
        if batch:
            yield (head + ",\n".join(batch) + "\n]}\n").encode()
        else:
            yield ("\n]}\n" if head == ",\n" else head + "]}\n").encode()
        progress.add(len(batch))
    progress.finish()


def _primed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Run the export up to its first chunk now, so a failing query is a 500 rather than a cut-off file."""
    first = next(chunks, b"")
    return itertools.chain([first], chunks)


# Column widths in characters, for the columns people read most; the rest get XLSX_WIDTH.
XLSX_WIDTHS = {"tracking_code": 16, "status": 16, "category": 24, "opd": 28, "address": 32, "description": 48}
XLSX_WIDTH = 14
XLSX_DATE_WIDTH = 17
XLSX_DATE_FORMATS = {"id": "dd-mm-yyyy hh:mm", "en": "yyyy-mm-dd hh:mm"}


def _xlsx_file(resolved: Resolved, words: SheetWords, progress: _Progress) -> str:
    """Write the export to a temporary xlsx file in constant memory; returns its path.

    Times are real date cells (WIB, as the header says), numbers are numbers, and text is never a formula.
    """
    import xlsxwriter

    fd, path = tempfile.mkstemp(prefix="pantau-export-", suffix=".xlsx")
    os.close(fd)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    dates = book.add_format({"num_format": XLSX_DATE_FORMATS.get(words.lang, XLSX_DATE_FORMATS["id"])})
    bold = book.add_format({"bold": True})
    title = t("export.sheet", words.lang)
    try:
        sheet, row_no = None, XLSX_MAX_ROWS
        with read_connection() as conn:
            _unlimited(conn)
            columns = sheet_columns(conn, resolved, words)
            for row in iter_sheet(conn, resolved, words):
                if row_no >= XLSX_MAX_ROWS:
                    sheet = book.add_worksheet(f"{title}{'' if sheet is None else len(book.worksheets()) + 1}")
                    for col, name in enumerate(columns):
                        width = XLSX_DATE_WIDTH if name.endswith("_at") else XLSX_WIDTHS.get(name, XLSX_WIDTH)
                        sheet.set_column(col, col, width)
                    sheet.write_row(0, 0, headers(columns, words.lang), bold)
                    sheet.freeze_panes(1, 0)
                    row_no = 0
                row_no += 1
                assert sheet is not None
                for col, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        # Never a formula, whatever the text starts with.
                        sheet.write_string(row_no, col, value)
                    elif isinstance(value, datetime):
                        sheet.write_datetime(row_no, col, value, dates)
                    else:
                        sheet.write_number(row_no, col, float(value))
                progress.add(1)
        if sheet is None:
            book.add_worksheet(title).write_row(0, 0, [t("leaders.no_reports", words.lang)])
        book.close()
    except BaseException:
        book.close()
        os.unlink(path)
        raise
    return path


def _send_file(path: str, progress: _Progress) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(256 * 1024):
                yield chunk
        progress.finish()
    finally:
        os.unlink(path)


def _error(status: int, message: str, field: str | None = None) -> Response:
    """The staff API's error body (the document's ``Error``): the field it concerns, if any, in ``field``."""
    body: dict[str, Any] = {"error": message, "code": status}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


@bp.get("/api/v1/export.<fmt>")
@operation(
    "The leaders' filtered set of complaints as CSV, GeoJSON or XLSX, streamed.",
    description="Same filters and scope as the leaders' page (db/filters.py). X-Total-Count carries the number of "
    "rows; progress=<token> records progress for /api/v1/export/progress/{token}.",
    tag="Leaders",
    bearer=True,
    query=schemas.ExportQuery,
    params={"fmt": "csv, geojson or xlsx."},
    responses={
        200: {
            "description": "The file (Content-Disposition: attachment).",
            "headers": {"X-Total-Count": {"schema": {"type": "integer"}}},
            "content": {
                FORMATS["csv"]: {"schema": {"type": "string"}},
                FORMATS["geojson"]: {"schema": {"type": "object"}},
                FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        400: "A filter parameter that cannot be used (field names it).",
        401: "No credentials.",
        403: "The role or scope forbids it.",
        404: "Unknown format.",
    },
)
def export(fmt: str) -> Response:
    """The filtered set as CSV, GeoJSON or XLSX, streamed."""
    if fmt not in FORMATS:
        return _error(404, f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    user = current_staff()
    if user is None:
        return _error(401, "authentication required (a bearer token or a staff session)")
    if not may_open(user, "leaders"):
        return _error(403, f"role {user.role!r} may not export complaints")
    try:
        filters = parse_filters(request.args)
        with read_connection() as conn:
            resolved = resolve(conn, filters, scope_of(user))
            total = export_count(conn, resolved)
        with get_engine().begin() as conn:
            # The parsed filters, not the raw query: nothing else a client sends ends up in the log.
            audit(conn, "export", user.actor, fmt, filters=filters.to_query(), rows=total)
    except FilterError as exc:
        return _error(400, str(exc), exc.param)
    except ScopeError as exc:
        return _error(403, str(exc))
    token = request.args.get("progress", "")
    progress = _Progress(progress_key(user.id, token) if _TOKEN.fullmatch(token) else None, total)
    # CSV and XLSX are for people: in the reader's language (?lang=, the cookie, PANTAU_LANG). GeoJSON is for
    # programs (GIS, scripts): its property names and values stay the same codes in every language.
    words = sheet_words(current_lang())
    if fmt == "csv":
        body: Iterator[bytes] = _primed(_csv(resolved, words, progress))
    elif fmt == "geojson":
        body = _primed(_geojson(resolved, progress))
    else:
        body = _send_file(_xlsx_file(resolved, words, progress), progress)
    stamp = datetime.now(WIB).strftime("%Y%m%d-%H%M")
    response = Response(body, content_type=FORMATS[fmt])
    # Never turn the stream into a list (an after-request hook asking for the length would, row by row in memory).
    response.implicit_sequence_conversion = False
    response.headers["Content-Disposition"] = f'attachment; filename="pantau-{stamp}.{fmt}"'
    response.headers["X-Total-Count"] = str(total)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/api/v1/export/progress/<token>")
@operation(
    "How far this user's export started with progress=<token> has got.",
    tag="Leaders",
    bearer=True,
    responses={
        200: ("Rows sent so far out of the total.", schemas.ExportProgress),
        400: "A malformed token (a NUL in the path).",
        401: "No credentials.",
        404: "No export with this token.",
    },
)
def export_progress(token: str) -> Response:
    """How far an export started with ``progress=<token>`` by this user has got."""
    user = current_staff()
    if user is None:
        return _error(401, "authentication required")
    backend = app_cache()
    state = backend.get(progress_key(user.id, token)) if backend is not None and _TOKEN.fullmatch(token) else None
    if state is None:
        return _error(404, "no export with this progress token")
    return jsonify(schemas.answer(schemas.ExportProgress(**state)))
