"""The one input model for a new report (services/intake.py): its limits, ranges, answers and anonymity."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake import MAX_NAME, Refused, check, new_report

GOOD = {"category": "sampah", "description": "Sampah menumpuk", "lat": -6.2, "lon": 106.6}


def refused(**fields: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        new_report(**{**GOOD, **fields})
    return caught.value


def test_a_name_of_the_limit_passes_and_one_more_is_refused_naming_the_field() -> None:
    assert new_report(**GOOD, reporter_name="N" * MAX_NAME).reporter_name == "N" * MAX_NAME
    exc = refused(reporter_name="N" * (MAX_NAME + 1))
    assert (exc.field, exc.code) == ("reporter_name", "too_long") and "100" in exc.message
    assert exc.text("id") == "Nama: paling banyak 100 karakter."


@pytest.mark.parametrize(("field", "value"), [("lat", 95), ("lat", "-90.5"), ("lon", 181), ("lon", "nan")])
def test_coordinates_outside_the_globe_are_refused(field: str, value: Any) -> None:
    assert refused(**{field: value}).field == field
    assert new_report(**{**GOOD, "lat": "-90", "lon": "180"}).lat == -90


def test_the_categorys_questions_are_checked() -> None:
    exc = refused(category="pohon_tumbang")
    assert exc.field == "answers" and exc.code == "answer_required" and "menutup_jalan" in exc.message
    assert refused(category="pohon_tumbang", answers={"menutup_jalan": "mungkin"}).code == "answer_choice"
    assert refused(answers={"warna": "merah"}).code == "answer_unknown"
    assert refused(category="banjir_drainase", answers={"tinggi_air_cm": "dalam"}).code == "answer_number"
    report = new_report(**{**GOOD, "category": "pohon_tumbang", "answers": {"menutup_jalan": "ya"}})
    assert report.answers == {"menutup_jalan": "ya"}


def test_an_anonymous_report_carries_no_identity() -> None:
    report = new_report(
        **GOOD,
        reporter_name="Budi",
        reporter_contact="0813",
        anonymous=True,
        attributes={"device_id": "x", "lang": "id"},
    )
    assert report.reporter_name is None and report.reporter_contact is None and report.attributes == {"lang": "id"}


def test_a_form_gets_every_refusal_at_once() -> None:
    _, refusals = check(**{**GOOD, "lat": 95, "reporter_name": "N" * 101, "description": "x\x00"})
    assert {r.field for r in refusals} == {"lat", "reporter_name", "description"}
