"""The job list's position parameters: a latitude within ±90 and a longitude within ±180, or a clear 400."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.integration.staff import Accounts, act, bearer, new_complaint, point_in


@pytest.mark.parametrize(
    ("lat", "lon", "says"),
    [
        ("120", "106.6", "lat must be between -90 and 90"),
        ("-90.5", "106.6", "lat must be between -90 and 90"),
        ("-6.2", "181", "lon must be between -180 and 180"),
        ("-6.2", "-200", "lon must be between -180 and 180"),
        ("nan", "106.6", "lat must be between -90 and 90"),
        ("utara", "106.6", "lat must be a number of degrees"),
        ("-6.2", "1e400", "lon must be between -180 and 180"),
    ],
)
def test_a_position_off_the_globe_is_refused_with_a_clear_400(
    client: Any, engine: Engine, accounts: Accounts, lat: str, lon: str, says: str
) -> None:
    response = client.get(
        "/api/v1/jobs", query_string={"lat": lat, "lon": lon}, headers=bearer(client, accounts("operator"))
    )
    assert response.status_code == 400
    assert response.is_json and response.get_json() == {"error": says, "code": 400}


def test_the_poles_and_the_date_line_are_positions(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, code, action="verify").status_code == 200  # now a job for the agencies
    for lat, lon in (("90", "180"), ("-90", "-180")):
        response = client.get("/api/v1/jobs", query_string={"lat": lat, "lon": lon}, headers=operator)
        assert response.status_code == 200, response.get_json()
    lon, lat = point_in(engine)
    near = client.get("/api/v1/jobs", query_string={"lat": lat, "lon": lon, "limit": 500}, headers=operator).get_json()
    assert near["jobs"][0]["id"] == code and near["jobs"][0]["distance_m"] == 0
