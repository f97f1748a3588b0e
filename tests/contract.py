"""Every answer the tests get from ``/api/v1/`` checked against ``/api/openapi.json``.

``tests/conftest.py`` makes the app's test client a ``ContractClient``: each
response to a ``/api/v1/`` request must have a status the document lists for
that path and method, and a JSON body must match the documented schema
(the subset of OpenAPI 3.1's JSON Schema that pydantic writes: ``$ref``,
``type`` (``null`` included), ``enum``, ``const``, ``properties``, ``required``,
``items``, ``additionalProperties``, ``oneOf``/``anyOf``/``allOf``, ``minimum``/``maximum``;
a ``date-time`` must carry the WIB offset ``+07:00`` as the document promises).
A field the document does not name fails too. A mismatch fails the test that made the request.
The document is the one the app serves (``api/openapi.py`` builds it from the routes and ``api/schemas.py``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PREFIX = "/api/v1/"
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class ContractError(AssertionError):
    pass


_DOCUMENT: dict[str, Any] = {}


def use_document(document: dict[str, Any]) -> None:
    """Check answers against ``document`` (the app's, set by ``ContractClient`` on its first request)."""
    _DOCUMENT.clear()
    _DOCUMENT.update(document)


def _document() -> dict[str, Any]:
    return _DOCUMENT


def _operation(path: str, method: str) -> tuple[str, dict[str, Any]] | None:
    for template, item in _document()["paths"].items():
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        if re.fullmatch(pattern, path) and method in item:
            return template, item[method]
    return None


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = _document()["components"]["schemas"][name]
    return schema


def validate(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """Raise ContractError naming the first place ``value`` does not match ``schema``."""
    schema = _resolve(schema)
    if value is None and not schema:
        return
    for part in schema.get("allOf", []):
        validate(value, part, where)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            errors = []
            for option in schema[key]:
                try:
                    validate(value, option, where)
                except ContractError as exc:
                    errors.append(str(exc))
            if len(errors) == len(schema[key]):
                raise ContractError(f"{where}: matches none of {key}: {errors}")
    kind = schema.get("type")
    if kind is not None:
        if isinstance(value, bool) and kind in ("integer", "number"):
            raise ContractError(f"{where}: {value!r} is a boolean, the document says {kind}")
        if not isinstance(value, _TYPES[kind]):
            raise ContractError(f"{where}: {value!r} is not {kind}")
    elif value is None and not any(k in schema for k in ("oneOf", "anyOf")):
        raise ContractError(f"{where}: null, the document does not allow it")
    if "enum" in schema and value not in schema["enum"]:
        raise ContractError(f"{where}: {value!r} not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        raise ContractError(f"{where}: {value!r} is not {schema['const']!r}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise ContractError(f"{where}: {value!r} is under the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise ContractError(f"{where}: {value!r} is over the maximum {schema['maximum']}")
    if isinstance(value, str) and schema.get("format") == "date-time":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ContractError(f"{where}: {value!r} is not a date-time") from exc
        if moment.utcoffset() is None or moment.isoformat()[-6:] != "+07:00":
            raise ContractError(f"{where}: {value!r} is not in WIB (+07:00)")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                raise ContractError(f"{where}: required {name!r} missing")
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                validate(item, properties[name], f"{where}.{name}")
            elif extra is False or (properties and extra is True and "additionalProperties" not in schema):
                raise ContractError(f"{where}: {name!r} is not in the document")
            elif isinstance(extra, dict):
                validate(item, extra, f"{where}.{name}")


def check(method: str, path: str, response: TestResponse) -> None:
    """Raise ContractError when ``response`` to ``method path`` is not what the document describes."""
    found = _operation(path, method.lower())
    if found is None:
        if response.status_code in (404, 405):  # an unknown path or method: the API's own refusal, as an Error
            validate(response.get_json(), {"$ref": "#/components/schemas/Error"}, f"{method} {path}")
            return
        raise ContractError(f"{method} {path}: not in /api/openapi.json")
    template, operation = found
    responses = operation["responses"]
    documented = responses.get(str(response.status_code)) or responses.get("default")
    if documented is None:
        raise ContractError(
            f"{method} {template}: status {response.status_code} not documented ({', '.join(responses)})"
        )
    content = documented.get("content", {})
    if response.mimetype != "application/json":
        return
    if "application/json" not in content:
        raise ContractError(f"{method} {template} {response.status_code}: JSON answered, the document has none")
    validate(response.get_json(), content["application/json"]["schema"], f"{method} {template} {response.status_code}")


class ContractClient(FlaskClient):
    """Flask's test client that checks every ``/api/v1/`` answer against the document."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:  # type: ignore[override]
        response = super().open(*args, **kwargs)
        request = response.request
        if not _DOCUMENT:
            from api.openapi import document

            use_document(document(self.application, "http://localhost"))
        if request.path.startswith(PREFIX) and not kwargs.get("follow_redirects"):
            check(request.method, request.path, response)
        return response
