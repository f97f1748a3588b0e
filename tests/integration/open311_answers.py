"""Open311 answers read back as data, in JSON or XML, as a client would."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET


def _value(element: ET.Element) -> Any:
    """An XML element as plain data: text, a dict of children, or a list of same-named children."""
    children = list(element)
    if not children:
        return element.text
    tags = [c.tag for c in children]
    if len(set(tags)) == 1 and element.tag in ("service_requests", "services", "errors", "attributes", "values",
                                               "endpoints", "formats", "completion_photo_urls"):  # fmt: skip
        return [_value(c) for c in children]
    return {c.tag: _value(c) for c in children}


def parse(response: Any, fmt: str, root: str | None = None) -> Any:
    """The body as data; XML is parsed (declaration, encoding and root element checked)."""
    if fmt == "json":
        assert response.content_type.startswith("application/json")
        return json.loads(response.data)
    assert response.content_type.startswith("text/xml")
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    element = ET.fromstring(response.data)
    if root is not None:
        assert element.tag == root
    return _value(element)


def errors_of(response: Any, fmt: str, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.data
    errors = parse(response, fmt, "errors")
    assert errors and all(set(e) == {"code", "description"} for e in errors)
    assert all(int(e["code"]) == status and e["description"] for e in errors)
    return errors
