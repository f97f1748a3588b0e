"""/api/openapi.json is built from the code and describes exactly the routes under /open311/v2/ and /api/v1/."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

PREFIXES = ("/open311/v2/", "/api/v1/")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``<any(xml, json):fmt>`` and ``<int:id>`` become ``{fmt}`` and ``{id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>:]+)>", r"{\1}", rule)


def served_operations(app: Flask) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIXES)
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    verbs = {"get", "post", "put", "patch", "delete"}
    return {(path, verb) for path, item in document["paths"].items() for verb in item if verb in verbs}


def test_every_route_is_documented_and_every_documented_route_exists(client: Any) -> None:
    from app import server

    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    served, documented = served_operations(server), documented_operations(document)
    assert not served - documented, f"routes without @operation (api/openapi.py): {sorted(served - documented)}"
    assert not documented - served, f"documented routes that do not exist: {sorted(documented - served)}"
    assert ("/open311/v2/requests.{fmt}", "post") in served and ("/api/v1/inbound/sms", "post") in served


def test_a_route_added_without_its_description_is_found_missing() -> None:
    """The check above is not empty by construction: a route without ``@operation`` is left out of the document."""
    from pydantic import BaseModel

    from api.openapi import document, operation

    class Thing(BaseModel):
        name: str

    app = Flask(__name__)

    @app.get("/api/v1/things/<int:number>")
    @operation("One thing.", tag="Test", responses={200: ("The thing.", Thing)})
    def thing(number: int) -> Any:
        return {}

    @app.post("/api/v1/things")
    def new_thing() -> Any:
        return {}

    built = document(app, "http://localhost")
    assert served_operations(app) - documented_operations(built) == {("/api/v1/things", "post")}
    operation_ = built["paths"]["/api/v1/things/{number}"]["get"]
    assert operation_["parameters"][0] == {
        "name": "number",
        "in": "path",
        "required": True,
        "description": "",
        "schema": {"type": "integer"},
    }
    assert built["components"]["schemas"]["Thing"]["properties"] == {"name": {"type": "string"}}
    assert "503" in operation_["responses"], "every /api/v1 operation may answer 503 when the database is away"


def test_the_document_is_openapi_3_with_every_reference_resolved(client: Any) -> None:
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "http://localhost"}]
    schemas = document["components"]["schemas"]

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [node["$ref"]] if "$ref" in node else [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    found = refs(document)
    assert found and all(r.startswith("#/components/schemas/") and r.rsplit("/", 1)[1] in schemas for r in found)
    for path, item in document["paths"].items():
        for name in re.findall(r"{([^}]+)}", path):
            for verb, operation in item.items():
                declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                assert name in declared, f"{verb} {path} does not declare its path parameter {name}"
        for operation in item.values():
            assert operation["summary"] and operation["responses"]


def test_the_document_keeps_each_doors_promises(client: Any) -> None:
    """WIB datetimes, the Open311 error list, 503 on every JSON operation, 507 on photo uploads, and the status
    machine's actions."""
    document = client.get("/api/openapi.json").get_json()
    schemas, paths = document["components"]["schemas"], document["paths"]
    assert "+07:00" in schemas["Job"]["properties"]["created_at"]["description"]
    assert schemas["Job"]["properties"]["created_at"]["format"] == "date-time"
    assert "field" in schemas["Error"]["properties"]
    for path, item in paths.items():
        for verb, operation in item.items():
            if path.startswith("/api/v1/"):
                assert "503" in operation["responses"], f"{verb} {path}"
            else:
                error = operation["responses"].get("404") or operation["responses"].get("400")
                if error:
                    assert error["content"]["application/json"]["schema"] == {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Open311Error"},
                    }
                    assert "text/xml" in error["content"]
    assert "507" in paths["/api/v1/complaints/{code}/photos"]["post"]["responses"]
    actions = schemas["Action"]["properties"]["action"]["enum"]
    assert {"verify", "recategorise", "reopen", "confirm"} <= set(actions) and "reroute_in" not in actions
    assert paths["/open311/v2/requests.{fmt}"]["get"]["parameters"][0]["schema"]["enum"] == ["xml", "json"]
