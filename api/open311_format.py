"""Rendering Open311 GeoReport v2 answers as XML (required by the spec) or JSON.

Records are plain dicts. In XML every key becomes an element; a list becomes
repeated child elements named by ``ITEM_TAGS``; a nested dict becomes nested
elements; None becomes an empty element. JSON is the same data, with the
collection as a top-level array as the spec's examples show.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response

from db.complaints import WIB

FORMATS = ("xml", "json")
MIME = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The element name of one item of a list, by the list's own name.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "completion_photo_urls": "url",
}


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime in WIB with its offset, e.g. ``2025-01-31T14:05:00+07:00``."""
    return None if moment is None else moment.astimezone(WIB).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode()


def respond(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    """``value`` under ``root`` (XML) or as it is (JSON)."""
    if fmt == "json":
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        body = to_xml(root, value)
    return Response(body, status=status, content_type=MIME[fmt])


def errors(fmt: str, status: int, *messages: str) -> Response:
    """The spec's error list: each error has a ``code`` (the HTTP status) and a ``description``."""
    return respond(fmt, "errors", [{"code": status, "description": m} for m in messages], status)
