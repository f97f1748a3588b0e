"""Which pages ask for plotly.js at once: those that draw a map or a chart (their map then waits for no second trip
after the layout), and no phone page without one (/lacak, /login never download its 4.6 MB)."""

from __future__ import annotations

import re
from typing import Any

import pytest

PLOTLY = re.compile(r'<script defer src="(/_dash-component-suites/plotly/package_data/plotly\.min\.js)"></script>')


@pytest.mark.parametrize("path", ["/live", "/live?kiosk=1", "/", "/lapor", "/statistik"])
def test_a_page_with_a_map_asks_for_plotly_in_its_head(client: Any, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    found = PLOTLY.search(head)
    assert found, f"{path} does not ask for plotly.js in its head"
    assert '<script defer src="/_dash-component-suites/dash/dcc/async-graph.js"></script>' in head
    script = client.get(found.group(1))
    assert script.status_code == 200 and b"plotly" in script.get_data()[:2000].lower()


@pytest.mark.parametrize("path", ["/lacak", "/login", "/lacak/ABCD-EFGH-JKMN"])
def test_a_page_without_a_graph_does_not_download_plotly(client: Any, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<html" in page and "plotly.min.js" not in page
