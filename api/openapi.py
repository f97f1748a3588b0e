"""``/api/openapi.json``: the OpenAPI 3.1 document of ``/api/v1/`` and ``/open311/v2/``, built from the code.

Each route under those prefixes carries one ``@operation(...)`` decorator that
names its summary, its input models (query, body) and its answers (a model per
status, or a sentence for an error); the models are in ``api/schemas.py``. The
document is assembled with apispec from the app's URL map (the paths and their
path parameters, ``<any(xml, json):fmt>`` as an enum) and pydantic's JSON
Schema of those models, so a route or field added in code is in the document.
Added for every ``/api/v1/`` operation: the ``Error`` body of each error, 503
when the database is away (api/errors.py), the bearer scheme when
``bearer=True``. ``/open311/v2/`` errors are the spec's error list, in XML or JSON.
``tests/integration/test_openapi.py`` fails on a route without the decorator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar, get_args, get_origin

from apispec import APISpec
from flask import Blueprint, Flask, current_app, jsonify, request
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from api import schemas

bp = Blueprint("openapi", __name__)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
XML = "text/xml"
PREFIXES = ("/api/v1/", "/open311/v2/")
REF = "#/components/schemas/{model}"
ATTRIBUTE = "__openapi__"
DATABASE_AWAY = "The database is away or busy (reason: database_away or database_busy); try again soon."
#: What a path parameter means, by its name in the Flask rule (a route may say otherwise in ``params``).
PATH_PARAMETERS = {
    "code": "The complaint's tracking code.",
    "fmt": "Answer format.",
    "service_code": "A service_code from services.",
    "service_request_id": "The tracking code.",
    "token": "The token given as progress=.",
}

F = TypeVar("F", bound=Callable[..., Any])
#: An answer: a sentence (an error, in the door's error shape), or (sentence, model or list[model]), or a whole
#: OpenAPI response object for what is not JSON (a file).
Answer = str | tuple[str, Any] | dict[str, Any]


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    responses: Mapping[int, Answer]
    description: str | None = None
    query: type[BaseModel] | None = None
    body: Mapping[str, type[BaseModel]] = field(default_factory=dict)
    headers: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    bearer: bool = False
    params: Mapping[str, str] = field(default_factory=dict)


def operation(
    summary: str,
    *,
    tag: str,
    responses: Mapping[int, Answer],
    description: str | None = None,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | Mapping[str, type[BaseModel]] | None = None,
    body_types: tuple[str, ...] = (JSON,),
    headers: Mapping[str, tuple[str, bool]] | None = None,
    bearer: bool = False,
    params: Mapping[str, str] | None = None,
) -> Callable[[F], F]:
    """Describe the route below in the document. ``body`` is one model for every type in ``body_types``, or a
    model per content type; ``headers`` maps a header to (description, required); ``params`` describes path
    parameters that ``PATH_PARAMETERS`` does not."""
    bodies = dict(body) if isinstance(body, Mapping) else dict.fromkeys(body_types, body) if body else {}
    described = Operation(summary, tag, responses, description, query, bodies, headers or {}, bearer, params or {})

    def attach(view: F) -> F:
        setattr(view, ATTRIBUTE, described)
        return view

    return attach


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``<any(xml, json):fmt>`` and ``<int:id>`` become ``{fmt}`` and ``{id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>:]+)>", r"{\1}", rule)


def _path_parameters(rule: str, described: Operation) -> list[dict[str, Any]]:
    found = []
    for converter, arguments, name in re.findall(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", rule):
        schema: dict[str, Any] = {"type": "string"}
        if converter == "any":
            schema["enum"] = [a.strip().strip("'\"") for a in arguments.split(",")]
        elif converter in ("int", "float"):
            schema = {"type": "integer" if converter == "int" else "number"}
        meaning = described.params.get(name) or PATH_PARAMETERS.get(name, "")
        found.append({"name": name, "in": "path", "required": True, "description": meaning, "schema": schema})
    return found


def documented_routes(app: Flask) -> Iterator[tuple[str, str, Operation]]:
    """(Flask rule, method, operation) of every route under ``PREFIXES`` that carries ``@operation``."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIXES):
            continue
        described = getattr(app.view_functions[rule.endpoint], ATTRIBUTE, None)
        if described is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.rule, method.lower(), described


class _Untitled(GenerateJsonSchema):
    """pydantic's JSON Schema without a ``title`` on every field (the name says it)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _model(shape: Any) -> type[BaseModel]:
    return get_args(shape)[0] if get_origin(shape) is list else shape


def _schema_of(shape: Any) -> dict[str, Any]:
    ref = {"$ref": REF.format(model=_model(shape).__name__)}
    return {"type": "array", "items": ref} if get_origin(shape) is list else ref


def _components(operations: list[tuple[str, str, Operation]]) -> dict[str, Any]:
    """Every model the operations name, and the models those use, as JSON Schema by name."""
    used: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {
        (schemas.Error, "serialization"): None,
        (schemas.Open311Error, "serialization"): None,
    }
    for _rule, _method, described in operations:
        for model in described.body.values():
            used[(model, "validation")] = None
        for answer in described.responses.values():
            if isinstance(answer, tuple):
                used[(_model(answer[1]), "serialization")] = None
    _, top = models_json_schema(list(used), ref_template=REF, schema_generator=_Untitled)
    return dict(sorted(top.get("$defs", {}).items()))


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF, schema_generator=_Untitled)
    required = set(schema.get("required", []))
    found = []
    for name, prop in schema["properties"].items():
        meaning = prop.pop("description", "")
        prop.pop("default", None)
        if list(prop) == ["anyOf"] and {"type": "null"} in prop["anyOf"]:  # optional: the parameter may be left out
            options = [o for o in prop["anyOf"] if o != {"type": "null"}]
            prop = options[0] if len(options) == 1 else {"anyOf": options}
        found.append(
            {"name": name, "in": "query", "required": name in required, "description": meaning, "schema": prop}
        )
    return found


def _response(answer: Answer, open311: bool) -> dict[str, Any]:
    if isinstance(answer, dict):
        return answer
    meaning, shape = answer if isinstance(answer, tuple) else (answer, None)
    if shape is None:
        shape = list[schemas.Open311Error] if open311 else schemas.Error
    content = {JSON: {"schema": _schema_of(shape)}}
    if open311:
        content[XML] = {"schema": {"type": "string", "description": "The same data as XML."}}
    return {"description": meaning, "content": content}


def _operation(rule: str, described: Operation) -> dict[str, Any]:
    open311 = rule.startswith("/open311/")
    responses = {str(status): _response(answer, open311) for status, answer in sorted(described.responses.items())}
    if not open311:
        responses.setdefault("503", _response(DATABASE_AWAY, False))
    parameters = _path_parameters(rule, described)
    if described.query is not None:
        parameters += _query_parameters(described.query)
    parameters += [
        {"name": name, "in": "header", "required": required, "description": meaning, "schema": {"type": "string"}}
        for name, (meaning, required) in described.headers.items()
    ]
    found: dict[str, Any] = {
        "tags": [described.tag],
        "summary": described.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if described.description:
        found["description"] = described.description
    if described.body:
        found["requestBody"] = {
            "required": True,
            "content": {kind: {"schema": _schema_of(model)} for kind, model in described.body.items()},
        }
    if described.bearer:
        found["security"] = [{"bearer": []}]
    return found


def document(app: Flask, server_url: str) -> dict[str, Any]:
    """The whole OpenAPI document of ``app``'s routes, with ``server_url`` as its server."""
    spec = APISpec(
        title="Pantau API",
        version="1",
        openapi_version="3.1.0",
        info={"description": "Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) and Pantau's JSON API."},
        servers=[{"url": server_url}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    operations = sorted(documented_routes(app))
    for name, schema in _components(operations).items():
        spec.components.schema(name, schema)
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, described in operations:
        paths.setdefault(rule, {})[method] = _operation(rule, described)
    for rule, ops in paths.items():
        spec.path(path=openapi_path(rule), operations=ops)
    return spec.to_dict()


@lru_cache(maxsize=8)
def _cached(app: Flask, server_url: str) -> dict[str, Any]:
    return document(app, server_url)


@bp.get("/api/openapi.json")
def openapi_json() -> Any:
    return jsonify(_cached(current_app._get_current_object(), request.url_root.rstrip("/")))  # type: ignore[attr-defined]
