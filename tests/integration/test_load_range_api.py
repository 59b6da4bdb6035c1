"""GET /api/load over a window wider than ten years: 422 with the API's error shape, at
once; the chart endpoint and page keep their own ten-year limit."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from rubdown.services.load_series import MAX_SERIES_DAYS
from tests.support.web import TODAY


@pytest.mark.parametrize(
    "params",
    [{"from": "1900-01-01", "to": "2200-12-31"}, {"from": "1900-01-01"}],
    ids=["1900-2200", "1900-today"],
)
@pytest.mark.parametrize(
    ("path", "limit"),
    [("/api/load", f"at most 10 years ({MAX_SERIES_DAYS} days)"), ("/api/load/chart", "ten years")],
)
def test_a_window_over_ten_years_is_422_with_the_error_shape(
    client: TestClient, path: str, limit: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params)

    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "invalid_value"
    assert limit in response.json()["error"]["message"]


def test_a_window_of_ten_years_has_a_row_per_day(client: TestClient) -> None:
    start = TODAY - dt.timedelta(days=MAX_SERIES_DAYS - 1)

    response = client.get("/api/load", params={"from": start.isoformat()})

    assert response.status_code == 200, response.text
    assert len(response.json()["days"]) == MAX_SERIES_DAYS
