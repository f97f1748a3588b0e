"""The OpenAPI document at /api/openapi.json describes exactly the routes under /open311/v2/ and /api/v1/."""

from __future__ import annotations

import re
from typing import Any

PREFIXES = ("/open311/v2/", "/api/v1/")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``<any(xml, json):fmt>`` and ``<int:id>`` become ``{fmt}`` and ``{id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>:]+)>", r"{\1}", rule)


def served_operations() -> set[tuple[str, str]]:
    from app import server

    return {
        (openapi_path(rule.rule), method.lower())
        for rule in server.url_map.iter_rules()
        if rule.rule.startswith(PREFIXES)
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    verbs = {"get", "post", "put", "patch", "delete"}
    return {(path, verb) for path, item in document["paths"].items() for verb in item if verb in verbs}


def test_every_route_is_documented_and_every_documented_route_exists(client: Any) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    served, documented = served_operations(), documented_operations(document)
    assert not served - documented, f"routes missing from api/openapi.py PATHS: {sorted(served - documented)}"
    assert not documented - served, f"documented routes that do not exist: {sorted(documented - served)}"
    assert ("/open311/v2/requests.{fmt}", "post") in served and ("/api/v1/inbound/sms", "post") in served


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
