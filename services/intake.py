"""Taking in a new report, from any door: ``NewReport`` (one input model, one set of limits) and ``file_report``.

/lapor, Open311 ``POST requests``, the SMS gateway and ``flask import-complaints`` translate what they
receive into a ``NewReport`` (``new_report(**fields)``) and store it with ``file_report`` (one report) or
hand the checked rows to the bulk import. Every door gets the same refusal for the same input: ``Refused``
names the field, a ``code`` and the limit, and each door renders it in its own format (``Refused.text`` in
the visitor's language for /lapor, ``Refused.message`` in English for the API, the SMS reply and the CLI).

An anonymous report keeps no identity: the model itself drops the name and contact (and the ids a
reporter's app sends) when ``anonymous`` is true, so no door can store them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import field, fields
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, ValidationError, field_validator, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import PydanticCustomError
from sqlalchemy import Connection

from db.complaints import (
    IDENTITY_ATTRIBUTES,
    MAX_DESCRIPTION,
    Actor,
    ComplaintError,
    Created,
    NewComplaint,
    category_ids,
    create_complaint,
    validate,
)
from db.imports import ImportResult, bulk_store, flag, records, when
from db.open311 import QUESTIONS
from i18n import t

__all__ = [
    "LIMITS",
    "MAX_ADDRESS",
    "MAX_ANSWER",
    "MAX_CONTACT",
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "NewReport",
    "Refused",
    "check",
    "file_report",
    "import_complaints",
    "new_report",
]

# The one set of limits, for every door (README "Reporting").
MAX_NAME = 100  # the reporter's name
MAX_CONTACT = 100  # a phone number or e-mail address (or both, comma-separated)
MAX_ADDRESS = 300  # an address or a landmark
MAX_ANSWER = 200  # the answer to one of a category's questions
LIMITS = {
    "reporter_name": MAX_NAME,
    "reporter_contact": MAX_CONTACT,
    "address": MAX_ADDRESS,
    "description": MAX_DESCRIPTION,
}
RANGES = {"lat": 90.0, "lon": 180.0}


class Refused(ValueError):
    """Input that cannot become a report: ``field`` names it, ``code`` says what is wrong (an ``intake.*``
    message in i18n.py), ``params`` fill it in; ``message`` is the English sentence."""

    def __init__(self, field: str, code: str, message: str, **params: Any):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message
        self.params = params

    def text(self, lang: str) -> str:
        """The refusal in ``lang``, for a page."""
        return t(f"intake.{self.code}", lang, field=t(f"intake.field.{self.field}", lang), **self.params)


def _error(code: str, message: str, **params: Any) -> PydanticCustomError:
    return PydanticCustomError(code, message, params)


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class NewReport(NewComplaint):
    """A new report as any door hands it over, checked. Build it with ``new_report``.

    Its fields are db/complaints.py's ``NewComplaint`` (declared there once, without pydantic); this adds the
    limits, the checks and the category's questions answered (db/open311.py QUESTIONS). What a door adds of
    its own (language, API key, SMS text...) goes in ``attributes``."""

    answers: dict[str, Any] = field(default_factory=dict)

    @field_validator(
        "category", "description", "channel", "address", "reporter_name", "reporter_contact", "source",
        "idempotency_key", mode="before",
    )  # fmt: skip
    @classmethod
    def _text(cls, value: Any, info: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise _error("not_text", "must be text")
        if "\x00" in value:
            raise _error("nul", "contains a NUL character (\\x00)")
        value = value.strip()
        limit = LIMITS.get(info.field_name)
        if limit is not None and len(value) > limit:
            raise _error("too_long", "is longer than {n} characters", n=limit)
        if not value and info.field_name == "category":
            raise _error("required", "is required")
        if not value and info.field_name == "description":
            raise _error("required", "is required")
        return value or (None if info.field_name not in ("category", "description") else value)

    @field_validator("lat", "lon", mode="before")
    @classmethod
    def _coordinate(cls, value: Any, info: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise _error("not_number", "not a number: {given}", given=repr(value))
        try:
            number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise _error("not_number", "not a number: {given}", given=repr(value)) from None
        limit = RANGES[info.field_name]
        if not math.isfinite(number):
            raise _error("not_number", "not a number: {given}", given=repr(value))
        if not -limit <= number <= limit:
            raise _error(
                "out_of_range", "{given} is outside {low}..{high}", given=number, low=-int(limit), high=int(limit)
            )
        return number

    @model_validator(mode="after")
    def _whole(self) -> NewReport:
        if (self.lat is None) != (self.lon is None):
            raise Refused("location", "location_pair", "give both latitude and longitude, or neither")
        _check_answers(self.category, self.answers)
        if self.anonymous:
            # No identity at all, whatever the door.
            attributes = {k: v for k, v in self.attributes.items() if k not in IDENTITY_ATTRIBUTES}
            object.__setattr__(self, "reporter_name", None)
            object.__setattr__(self, "reporter_contact", None)
            object.__setattr__(self, "attributes", attributes)
        return self


def _check_answers(category: str, answers: dict[str, Any]) -> None:
    """The answers against the category's questions: required ones answered, values from the list."""
    questions = {q.code: q for q in QUESTIONS.get(category, ())}
    for code in answers:
        if code not in questions:
            raise Refused(
                "answers",
                "answer_unknown",
                f"{code} is not a question of category {category!r}",
                question=code,
                question_code=code,
            )
    for q in questions.values():
        value = answers.get(q.code)
        items = [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        if not items:
            if q.required:
                raise Refused(
                    "answers",
                    "answer_required",
                    f"{q.code} is required: {q.description}",
                    question=q.description,
                    question_code=q.code,
                )
            continue
        keys = [k for k, _ in q.values]
        if q.datatype in ("singlevaluelist", "multivaluelist") and any(str(v) not in keys for v in items):
            raise Refused(
                "answers", "answer_choice", f"{q.code} must be one of {', '.join(keys)}",
                question=q.description, question_code=q.code, values=", ".join(keys),
            )  # fmt: skip
        if q.datatype == "number":
            try:
                ok = math.isfinite(float(str(items[0])))
            except ValueError:
                ok = False
            if not ok:
                raise Refused(
                    "answers",
                    "answer_number",
                    f"{q.code} is not a number: {items[0]!r}",
                    question=q.description,
                    question_code=q.code,
                )
        if any(len(str(v)) > MAX_ANSWER for v in items):
            raise Refused(
                "answers", "answer_long", f"{q.code} is longer than {MAX_ANSWER} characters",
                question=q.description, question_code=q.code, n=MAX_ANSWER,
            )  # fmt: skip


def new_report(**fields: Any) -> NewReport:
    """The report, checked; raises ``Refused`` naming the first bad field."""
    report, refusals = check(**fields)
    if report is None:
        raise refusals[0]
    return report


def check(**fields: Any) -> tuple[NewReport | None, list[Refused]]:
    """The report, or every field's refusal (a form shows them all at once)."""
    try:
        return NewReport(**fields), []
    except ValidationError as exc:
        return None, [_refusal(error) for error in exc.errors()]


def _refusal(error: Any) -> Refused:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Refused):
        return cause
    field = str(error["loc"][0]) if error["loc"] else "report"
    params = {k: v for k, v in (error.get("ctx") or {}).items() if k != "error"}
    code = error["type"] if error["type"] in _CODES else "invalid"
    return Refused(field, code, error["msg"], **params)


_CODES = {"not_text", "nul", "too_long", "required", "not_number", "out_of_range"}


def complaint(report: NewReport) -> NewComplaint:
    """What db/complaints.py stores for the report: its own fields, the answers kept as ``open311_attributes``."""
    stored = {name.name: getattr(report, name.name) for name in fields(NewComplaint)}
    stored["attributes"] = dict(report.attributes)
    if report.answers:
        stored["attributes"]["open311_attributes"] = dict(report.answers)
    return NewComplaint(**stored)


def file_report(conn: Connection, report: NewReport, actor: Actor, categories: dict[str, int] | None = None) -> Created:
    """Store and route the report (a repeated submission returns the first); raises ``Refused`` for an
    unknown category or channel (what only the database knows)."""
    try:
        return create_complaint(conn, complaint(report), actor, categories)
    except ComplaintError as exc:
        raise Refused(exc.field, "unknown" if exc.field in ("category", "channel") else "invalid", exc.message) from exc


_ANSWER_COLUMN = re.compile(r"^attribute\[([^\]]+)\]$")


def report_from_row(props: dict[str, Any], default_channel: str) -> NewReport:
    """A report from one imported record (CSV columns or GeoJSON properties); raises ``Refused``. The category's
    questions are answered in ``attribute[CODE]`` columns, as in Open311."""
    answers = {
        m.group(1): str(value).strip()
        for key, value in props.items()
        if (m := _ANSWER_COLUMN.match(str(key))) and value not in (None, "")
    }
    try:
        created_at = when(props.get("created_at"))
    except ComplaintError as exc:
        raise Refused(exc.field, "invalid", exc.message) from None

    def text(*keys: str) -> Any:
        for key in keys:
            if props.get(key) not in (None, ""):
                return props[key]
        return None

    return new_report(
        category=str(text("category", "kategori") or ""),
        description=str(text("description", "deskripsi") or ""),
        channel=str(text("channel") or default_channel),
        lat=text("lat", "latitude"),
        lon=text("lon", "long", "longitude"),
        address=text("address"),
        reporter_name=text("reporter_name"),
        reporter_contact=text("reporter_contact"),
        anonymous=flag(props.get("anonymous")),
        confidential=flag(props.get("confidential")),
        source=text("source"),
        created_at=created_at,
        answers=answers,
    )


def import_complaints(
    conn: Connection,
    path: Path,
    default_channel: str = "walk_in",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Load a file of complaints (``flask import-complaints``): each record is checked as a report like any
    other door's; a refused one is named by its line (``ImportResult.errors``) and nothing of it is stored,
    the rest still load. Raises ValueError for a file that cannot be read at all."""
    result = ImportResult()
    categories = category_ids(conn)

    def valid_rows() -> Iterator[tuple[int, NewComplaint, int]]:
        for line, props in records(path):
            result.read += 1
            try:
                report = report_from_row(props, default_channel)
                if report.category not in categories:
                    raise Refused(
                        "category",
                        "unknown",
                        f"unknown category {report.category!r}; known: {', '.join(sorted(categories))}",
                    )
                new = complaint(report)
                validate(new, categories)
            except Refused as exc:
                result.errors.append((line, f"{exc.field}: {exc.message}"))
                continue
            except ComplaintError as exc:
                result.errors.append((line, str(exc)))
                continue
            yield line, new, categories[new.category]

    staged, result.stored, result.outside = bulk_store(conn, valid_rows(), progress)
    result.duplicates = staged - result.stored
    return result
