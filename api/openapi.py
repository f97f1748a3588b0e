"""The OpenAPI 3 description of ``/open311/v2/`` and ``/api/v1/``, served at ``/api/openapi.json``.

``PATHS`` is maintained by hand, next to nothing else: whoever adds a route
under those prefixes adds its entry here. ``tests/integration/test_openapi.py``
compares it with the app's URL map both ways, so a route that is missing here,
or an entry for a route that is gone, fails the suite.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

bp = Blueprint("openapi", __name__)

JSON = "application/json"
XML = "text/xml"
_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_DATETIME = {"type": "string", "format": "date-time", "description": "W3C datetime with the +07:00 offset (WIB)."}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, schema: dict[str, Any] | None = None, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _path(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string"},
    }


FORMAT = _path(
    "fmt", "Answer format: xml (the spec's required format) or json.", {"type": "string", "enum": ["xml", "json"]}
)
JURISDICTION = _query("jurisdiction_id", "Kemendagri code of a city (kota), e.g. 3671; optional.")
EXTENSIONS = _query("extensions", "true adds extended_attributes (Pantau's detailed status, colour, areas, photos).")


def _open311(schema: str, description: str, *, array: bool = True) -> dict[str, Any]:
    body = {"type": "array", "items": _ref(schema)} if array else _ref(schema)
    return {
        "description": description,
        "content": {
            JSON: {"schema": body},
            XML: {"schema": {"type": "string", "description": "The same data as XML."}},
        },
    }


def _errors(*codes: int) -> dict[str, Any]:
    meaning = {
        400: "A missing or bad parameter.",
        403: "Missing or wrong api_key.",
        404: "Not found.",
        429: "Too many submissions with this api_key (its own rate, or PANTAU_API_KEY_RATE).",
    }
    return {str(c): _open311("Open311Error", meaning[c]) for c in codes}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _json_error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
CODE = _path("code", "The complaint's tracking code.")


def _staff_errors(*codes: int) -> dict[str, Any]:
    meaning = {
        400: "A malformed request.",
        401: "No credentials.",
        403: "The role, agency or assignment forbids it.",
        404: "No such complaint.",
        409: "The status machine refuses the action (the current status is given).",
        413: "The upload is too large.",
        415: "Not a JPEG, PNG, WebP or HEIC image.",
        507: "The photo store is full or cannot be written; nothing was stored (try again later).",
    }
    return {str(c): _json_error(meaning[c]) for c in codes}


PATHS: dict[str, dict[str, Any]] = {
    "/open311/v2/discovery.{fmt}": {
        "get": {
            "tags": ["Open311"],
            "summary": "Service discovery: specification, URL, formats.",
            "parameters": [FORMAT],
            "responses": {"200": _open311("Discovery", "The discovery document.", array=False)},
        }
    },
    "/open311/v2/services.{fmt}": {
        "get": {
            "tags": ["Open311"],
            "summary": "One service per complaint category; group is the OPD that handles it.",
            "parameters": [FORMAT, JURISDICTION],
            "responses": {"200": _open311("Service", "The services."), **_errors(404)},
        }
    },
    "/open311/v2/services/{service_code}.{fmt}": {
        "get": {
            "tags": ["Open311"],
            "summary": "A service definition: the category's extra questions (attributes).",
            "parameters": [_path("service_code", "A service_code from services."), FORMAT],
            "responses": {"200": _open311("ServiceDefinition", "The definition.", array=False), **_errors(404)},
        }
    },
    "/open311/v2/requests.{fmt}": {
        "get": {
            "tags": ["Open311"],
            "summary": "Service requests, newest first. Confidential reports are never listed.",
            "description": "Without service_request_id, start_date or end_date: the last 90 days. "
            "service_request_id overrides every other filter.",
            "parameters": [
                FORMAT,
                JURISDICTION,
                _query("service_request_id", "Comma-separated tracking codes."),
                _query("service_code", "Comma-separated service codes."),
                _query(
                    "start_date",
                    "W3C datetime; earliest requested_datetime.",
                    {"type": "string", "format": "date-time"},
                ),
                _query(
                    "end_date", "W3C datetime; latest requested_datetime.", {"type": "string", "format": "date-time"}
                ),
                _query("status", "open, closed, or both comma-separated."),
                _query("page", "Paging extension: page number from 1.", {"type": "integer", "minimum": 1}),
                _query(
                    "page_size",
                    "Paging extension: requests per page.",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                ),
                _query("bbox", "Extension: min_long,min_lat,max_long,max_lat (EPSG:4326)."),
                EXTENSIONS,
                _query("api_key", "Optional; lets a client see confidential requests it filed itself, by id."),
            ],
            "responses": {"200": _open311("ServiceRequest", "The matching requests."), **_errors(400, 403, 404)},
        },
        "post": {
            "tags": ["Open311"],
            "summary": "File a service request; routed like every complaint (channel api).",
            "requestBody": {
                "required": True,
                "content": {"application/x-www-form-urlencoded": {"schema": _ref("NewServiceRequest")}},
            },
            "parameters": [
                FORMAT,
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "A retried POST with the same key returns the first request.",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": _open311("ServiceRequestCreated", "The new request's id and notice."),
                **_errors(400, 403, 429),
            },
        },
    },
    "/open311/v2/requests/{service_request_id}.{fmt}": {
        "get": {
            "tags": ["Open311"],
            "summary": "One service request by its id (the tracking code).",
            "parameters": [
                _path("service_request_id", "The tracking code."),
                FORMAT,
                EXTENSIONS,
                _query("api_key", "Optional."),
            ],
            "responses": {"200": _open311("ServiceRequest", "A list holding the request."), **_errors(403, 404)},
        }
    },
    "/api/v1/auth/token": {
        "post": {
            "tags": ["Staff"],
            "summary": "Exchange a staff username and password for a bearer token (12 hours).",
            "requestBody": {
                "required": True,
                "content": {
                    ct: {
                        "schema": {
                            "type": "object",
                            "required": ["username", "password"],
                            "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                        }
                    }
                    for ct in (JSON, "application/x-www-form-urlencoded")
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "access_token": {"type": "string"},
                            "token_type": {"type": "string", "enum": ["Bearer"]},
                            "expires_in": {"type": "integer"},
                            "role": {"type": "string"},
                        },
                    },
                    "The token.",
                ),
                "400": _json_error("Username or password missing."),
                "401": _json_error("Wrong username or password."),
                "429": _json_error(
                    "Too many attempts from this address, or too many failed ones for this name from it"
                    " (then with Retry-After)."
                ),
            },
        }
    },
    "/api/v1/jobs": {
        "get": {
            "tags": ["Staff"],
            "summary": "Open jobs: a field supervisor's own; an agency's (or, for operators, every agency's) work in progress.",
            "security": BEARER,
            "parameters": [
                _query(
                    "lat", "Sort by distance from here (with lon).", {"type": "number", "minimum": -90, "maximum": 90}
                ),
                _query(
                    "lon", "Sort by distance from here (with lat).", {"type": "number", "minimum": -180, "maximum": 180}
                ),
                _query("order", "nearest (default) or oldest."),
                _query("limit", "At most this many (1-500, default 100).", {"type": "integer"}),
            ],
            "responses": {
                "200": _json(
                    {"type": "object", "properties": {"jobs": {"type": "array", "items": _ref("Job")}}}, "Jobs."
                ),
                **_staff_errors(400, 401, 403),
            },
        }
    },
    "/api/v1/complaints/{code}": {
        "get": {
            "tags": ["Staff"],
            "summary": "One complaint for staff: details, history, photos, possible duplicates (reporter only where allowed).",
            "security": BEARER,
            "parameters": [CODE],
            "responses": {"200": _json(_ref("ComplaintDetail"), "The complaint."), **_staff_errors(400, 401, 403, 404)},
        }
    },
    "/api/v1/complaints/{code}/transition": {
        "post": {
            "tags": ["Staff"],
            "summary": "Apply one action: verify, forward, assign, start, complete, reject, duplicate, reopen or recategorise.",
            "security": BEARER,
            "parameters": [CODE],
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref("Action")}}},
            "responses": {
                "200": _json(_ref("ActionResult"), "The complaint after the action."),
                **_staff_errors(400, 401, 403, 404, 409),
            },
        }
    },
    "/api/v1/complaints/{code}/notes": {
        "post": {
            "tags": ["Staff"],
            "summary": "Add a note to the history: internal (the default) or, with public true, a reply to the reporter "
            "(shown on /lacak, in Open311's status_notes, and sent as a message).",
            "security": BEARER,
            "parameters": [CODE],
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref("Note")}}},
            "responses": {
                "201": _json(
                    {
                        "type": "object",
                        "properties": {"id": _STRING, "status": _STRING, "public": {"type": "boolean"}},
                    },
                    "The note was added.",
                ),
                **_staff_errors(400, 401, 403, 404),
            },
        }
    },
    "/api/v1/complaints/bulk": {
        "post": {
            "tags": ["Staff"],
            "summary": "One action on many complaints (ids: tracking codes, at most 500) in one transaction.",
            "security": BEARER,
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {
                        "schema": {
                            "allOf": [
                                _ref("Action"),
                                {
                                    "type": "object",
                                    "required": ["ids"],
                                    "properties": {"ids": {"type": "array", "items": _STRING, "maxItems": 500}},
                                },
                            ]
                        }
                    }
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "done": {"type": "integer"},
                            "failed": {"type": "integer"},
                            "results": {"type": "array", "items": {"type": "object"}},
                        },
                    },
                    "What happened to each complaint.",
                ),
                **_staff_errors(400, 401, 403),
            },
        }
    },
    "/api/v1/complaints/{code}/photos": {
        "post": {
            "tags": ["Staff"],
            "summary": "Add a photo (kind=completion, the default, or report) or a PDF document (kind=document).",
            "description": "Multipart, the file in 'file'. A photo is JPEG, PNG, WebP or HEIC; a document a readable, "
            "unencrypted PDF of at most 10 MB and 50 pages (recognised by its bytes, never its name; 415 otherwise), "
            "stored without its document information or XMP metadata and served at /documents/{id}.",
            "security": BEARER,
            "parameters": [CODE],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "kind": {"type": "string", "enum": ["completion", "report", "document"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _json(
                    {"type": "object", "properties": {"photo": _ref("Photo"), "document": _ref("Document")}}, "Stored."
                ),
                "200": _json(
                    {"type": "object", "properties": {"photo": _ref("Photo"), "document": _ref("Document")}},
                    "The same photo or document was stored already.",
                ),
                **_staff_errors(400, 401, 403, 404, 413, 415, 507),
            },
        }
    },
    "/api/v1/export.{fmt}": {
        "get": {
            "tags": ["Leaders"],
            "summary": "The leaders' filtered set of complaints as CSV, GeoJSON or XLSX, streamed.",
            "description": "Same filters and scope as the leaders' page (db/filters.py). X-Total-Count carries the "
            "number of rows; progress=<token> records progress for /api/v1/export/progress/{token}.",
            "security": BEARER,
            "parameters": [
                _path("fmt", "csv, geojson or xlsx.", {"type": "string", "enum": ["csv", "geojson", "xlsx"]}),
                _query("kota", "Kemendagri code of a city, e.g. 3671."),
                _query("kecamatan", "Kemendagri code of a kecamatan (6 digits)."),
                _query("kelurahan", "Kemendagri code of a kelurahan (10 digits)."),
                _query("opd", "OPD code, e.g. 3671.DBMSDA."),
                _query("category", "Category code."),
                _query("status", "Comma-separated colours (red, yellow, green, grey) and/or statuses."),
                _query("channel", "One channel: web, app, sms, social, call_centre, walk_in, api."),
                _query("from", "First WIB day, YYYY-MM-DD.", {"type": "string", "format": "date"}),
                _query("to", "Last WIB day, YYYY-MM-DD.", {"type": "string", "format": "date"}),
                _query("period", "today, 7d, 30d, month or year (from/to win over it)."),
                _query("progress", "A client-chosen token to follow the export's progress."),
                _query(
                    "lang",
                    "id or en: the language of CSV and XLSX headers and words (default: the pantau_lang cookie, "
                    "then PANTAU_LANG). GeoJSON keeps its codes in every language.",
                    {"type": "string", "enum": ["id", "en"]},
                ),
            ],
            "responses": {
                "200": {
                    "description": "The file (Content-Disposition: attachment).",
                    "headers": {"X-Total-Count": {"schema": {"type": "integer"}}},
                    "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/geo+json": {"schema": {"type": "object"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                    },
                },
                "400": _json_error("A filter parameter that cannot be used (field names it)."),
                "401": _json_error("No credentials."),
                "403": _json_error("The role or scope forbids it."),
                "404": _json_error("Unknown format."),
            },
        }
    },
    "/api/v1/export/progress/{token}": {
        "get": {
            "tags": ["Leaders"],
            "summary": "How far this user's export started with progress=<token> has got.",
            "security": BEARER,
            "parameters": [_path("token", "The token given as progress=.")],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "rows": {"type": "integer"},
                            "total": {"type": "integer"},
                            "done": {"type": "boolean"},
                        },
                    },
                    "Rows sent so far out of the total.",
                ),
                "400": _json_error("A malformed token (a NUL in the path)."),
                "401": _json_error("No credentials."),
                "404": _json_error("No export with this token."),
            },
        }
    },
    "/api/v1/inbound/sms": {
        "post": {
            "tags": ["Inbound"],
            "summary": "An SMS from the gateway: 'LAPOR <kategori> <keterangan> #<kelurahan atau patokan>'.",
            "description": "Authenticated by the X-Pantau-Secret header (PANTAU_SMS_SECRET). A place that cannot be "
            "found is kept as luar_wilayah for the operators; an unknown category word files the report as lainnya.",
            "parameters": [
                {"name": "X-Pantau-Secret", "in": "header", "required": True, "schema": {"type": "string"}},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    ct: {
                        "schema": {
                            "type": "object",
                            "required": ["sender", "text"],
                            "properties": {
                                "sender": {"type": "string", "description": "The sender's phone number."},
                                "text": {"type": "string", "maxLength": 1600},
                                "message_id": {"type": "string", "description": "Gateway id; a retry counts once."},
                            },
                        }
                    }
                    for ct in (JSON, "application/x-www-form-urlencoded")
                },
            },
            "responses": {
                "201": _json(_ref("SmsAccepted"), "Stored."),
                "200": _json(_ref("SmsAccepted"), "A retry of a message already stored."),
                "400": _json_error("sender or text missing or too long."),
                "403": _json_error("Missing or wrong secret."),
                "429": _json_error("Too many reports from this sender."),
                "503": _json_error("PANTAU_SMS_SECRET is not set."),
            },
        }
    },
    "/api/v1/inbound/whatsapp": {
        "post": {
            "tags": ["Inbound"],
            "summary": "A WhatsApp message from the gateway: text in the SMS format, a shared location, photos.",
            "description": "Authenticated by X-Pantau-Secret (PANTAU_WHATSAPP_SECRET, else PANTAU_SMS_SECRET) or, for "
            "JSON, X-Hub-Signature-256 (sha256=HMAC of the body). lat/long place the report exactly; up to three "
            "photos come as multipart 'media' files or as 'media_urls' on the gateway's own host (the origin of "
            "PANTAU_WHATSAPP_OUTBOUND_URL), fetched with the photo size limit and a short timeout; any other host "
            "is refused unfetched. The same message_id is one report.",
            "parameters": [
                {"name": "X-Pantau-Secret", "in": "header", "schema": {"type": "string"}},
                {"name": "X-Hub-Signature-256", "in": "header", "schema": {"type": "string"}},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    ct: {
                        "schema": {
                            "type": "object",
                            "required": ["sender"],
                            "properties": {
                                "sender": {"type": "string", "description": "The sender's WhatsApp number."},
                                "message_id": {"type": "string", "maxLength": 128},
                                "text": {"type": "string", "maxLength": 1600},
                                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                                "long": {"type": "number", "minimum": -180, "maximum": 180},
                                "media_urls": {
                                    "type": "array",
                                    "maxItems": 3,
                                    "items": {"type": "string", "format": "uri", "maxLength": 1000},
                                },
                                **(
                                    {"media": {"type": "array", "items": {"type": "string", "format": "binary"}}}
                                    if ct == "multipart/form-data"
                                    else {}
                                ),
                            },
                        }
                    }
                    for ct in (JSON, "application/x-www-form-urlencoded", "multipart/form-data")
                },
            },
            "responses": {
                "201": _json(_ref("WhatsAppAccepted"), "Stored."),
                "200": _json(_ref("WhatsAppAccepted"), "A retry of a message already stored."),
                "400": _json_error("A missing sender, nothing to report, a bad coordinate, too many files."),
                "403": _json_error("Missing or wrong secret or signature."),
                "429": _json_error("Too many reports from this sender."),
                "503": _json_error("No secret is set."),
            },
        }
    },
    "/api/v1/inbound/social": {
        "post": {
            "tags": ["Inbound"],
            "summary": "A social-media post mentioning the city, from a social-listening gateway.",
            "description": "Authenticated by X-Pantau-Secret (PANTAU_SOCIAL_SECRET). Placed by lat/long or a kelurahan "
            "'place'; otherwise kept as luar_wilayah for the operators. The same platform and post_id is one report.",
            "parameters": [
                {"name": "X-Pantau-Secret", "in": "header", "required": True, "schema": {"type": "string"}},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    ct: {
                        "schema": {
                            "type": "object",
                            "required": ["platform", "post_id", "author", "text"],
                            "properties": {
                                "platform": {"type": "string", "description": "facebook, x, instagram, tiktok…"},
                                "post_id": {"type": "string", "maxLength": 128},
                                "author": {"type": "string", "maxLength": 100, "description": "The handle."},
                                "text": {"type": "string", "maxLength": 1600},
                                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                                "long": {"type": "number", "minimum": -180, "maximum": 180},
                                "place": {"type": "string", "description": "A kelurahan name."},
                                "media_urls": {"type": "array", "items": {"type": "string", "format": "uri"}},
                                "url": {"type": "string", "format": "uri", "description": "The post."},
                            },
                        }
                    }
                    for ct in (JSON, "application/x-www-form-urlencoded")
                },
            },
            "responses": {
                "201": _json(_ref("PostAccepted"), "Stored."),
                "200": _json(_ref("PostAccepted"), "The same post again."),
                "400": _json_error("A missing or malformed field."),
                "403": _json_error("Missing or wrong secret."),
                "503": _json_error("PANTAU_SOCIAL_SECRET is not set."),
            },
        }
    },
}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "code"],
        "properties": {
            "error": {**_STRING, "description": "What went wrong, for the developer."},
            "message": {
                **_STRING,
                "description": "Photo uploads: what went wrong for the person, in the request's language.",
            },
            "reason": {**_STRING, "description": "503: database_away or database_busy."},
            "reply": {**_STRING, "description": "Inbound SMS and WhatsApp: the text to send back to the sender."},
            "code": {"type": "integer", "description": "The HTTP status again."},
            "field": {**_STRING, "description": "The request field or query parameter it concerns, when one does."},
            "status": {**_STRING, "description": "409: the complaint's current status."},
            "colour": {**_NULLABLE_STRING, "description": "409: the colour of that status."},
        },
    },
    "Open311Error": {"type": "object", "properties": {"code": {"type": "integer"}, "description": _STRING}},
    "Discovery": {
        "type": "object",
        "properties": {
            "changeset": _DATETIME,
            "contact": _STRING,
            "key_service": _STRING,
            "endpoints": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "specification": _STRING,
                        "url": _STRING,
                        "changeset": _DATETIME,
                        "type": _STRING,
                        "formats": {"type": "array", "items": _STRING},
                    },
                },
            },
        },
    },
    "Service": {
        "type": "object",
        "properties": {
            "service_code": _STRING,
            "service_name": _STRING,
            "description": _STRING,
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime"]},
            "keywords": _STRING,
            "group": {"type": "string", "description": "The OPD(s) that handle the category."},
        },
    },
    "ServiceDefinition": {
        "type": "object",
        "properties": {
            "service_code": _STRING,
            "attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "variable": {"type": "boolean"},
                        "code": _STRING,
                        "datatype": {
                            "type": "string",
                            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
                        },
                        "required": {"type": "boolean"},
                        "datatype_description": _NULLABLE_STRING,
                        "order": {"type": "integer"},
                        "description": _STRING,
                        "values": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"key": _STRING, "name": _STRING}},
                        },
                    },
                },
            },
        },
    },
    "NewServiceRequest": {
        "type": "object",
        "required": ["api_key", "service_code"],
        "description": "Give lat and long, or address_string (a kelurahan name is placed inside it), or address_id.",
        "properties": {
            "api_key": _STRING,
            "jurisdiction_id": _STRING,
            "service_code": _STRING,
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "address_string": _STRING,
            "address_id": _STRING,
            "description": {"type": "string", "maxLength": 4000},
            "media_url": {"type": "string", "format": "uri", "description": "Stored as given; never fetched."},
            "email": _STRING,
            "first_name": _STRING,
            "last_name": _STRING,
            "phone": _STRING,
            "device_id": _STRING,
            "account_id": _STRING,
            "anonymous": {"type": "boolean", "description": "Extension: keep no identity of the reporter."},
            "confidential": {"type": "boolean", "description": "Extension: the report is never listed publicly."},
        },
        "additionalProperties": {
            "type": "string",
            "description": "attribute[CODE] answers to the service's questions.",
        },
    },
    "ServiceRequestCreated": {
        "type": "object",
        "properties": {"service_request_id": _STRING, "service_notice": _STRING, "account_id": _NULLABLE_STRING},
    },
    "ServiceRequest": {
        "type": "object",
        "properties": {
            "service_request_id": {"type": "string", "description": "The public tracking code."},
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": _STRING,
            "service_name": _STRING,
            "service_code": _STRING,
            "description": _STRING,
            "agency_responsible": {"type": "string", "nullable": True, "description": "The OPD."},
            "service_notice": _STRING,
            "requested_datetime": _DATETIME,
            "updated_datetime": _DATETIME,
            "expected_datetime": {**_DATETIME, "description": "The due date (working days), WIB."},
            "address": _NULLABLE_STRING,
            "address_id": _NULLABLE_STRING,
            "zipcode": _NULLABLE_STRING,
            "lat": {"type": "number", "nullable": True},
            "long": {"type": "number", "nullable": True},
            "media_url": _NULLABLE_STRING,
            "extended_attributes": {
                "type": "object",
                "description": "Only with extensions=true.",
                "properties": {
                    "detailed_status": _STRING,
                    "status_color": {"type": "string", "enum": ["red", "yellow", "green", "grey"]},
                    "kode_kelurahan": _NULLABLE_STRING,
                    "kelurahan": _NULLABLE_STRING,
                    "kode_kecamatan": _NULLABLE_STRING,
                    "kecamatan": _NULLABLE_STRING,
                    "kode_kota": _NULLABLE_STRING,
                    "kota": _NULLABLE_STRING,
                    "completion_photo_urls": {"type": "array", "items": {"type": "string", "format": "uri"}},
                },
            },
        },
    },
    "Job": {
        "type": "object",
        "properties": {
            "id": _STRING,
            "status": _STRING,
            "colour": _STRING,
            "version": {"type": "integer"},
            "category": _STRING,
            "category_name": _STRING,
            "description": _STRING,
            "address": _NULLABLE_STRING,
            "kelurahan": _NULLABLE_STRING,
            "kecamatan": _NULLABLE_STRING,
            "opd": _NULLABLE_STRING,
            "lat": {"type": "number", "nullable": True},
            "lon": {"type": "number", "nullable": True},
            "created_at": _DATETIME,
            "due_at": _DATETIME,
            "overdue": {"type": "boolean"},
            "distance_m": {"type": "integer", "nullable": True},
            "links": {"type": "object", "additionalProperties": _STRING},
        },
    },
    "ComplaintDetail": {
        "type": "object",
        "description": "A job's fields plus channel, kota, assignee, merged_into, confidential, anonymous, "
        "completed_at, events, photos, documents (each a Document), answers (the category's questions), "
        "possible_duplicates and (where allowed) reporter.",
        "additionalProperties": True,
    },
    "Action": {
        "type": "object",
        "required": ["action"],
        "properties": {
            "action": {
                "type": "string",
                "enum": [
                    "verify",
                    "forward",
                    "assign",
                    "start",
                    "complete",
                    "confirm",
                    "reject",
                    "duplicate",
                    "reopen",
                    "recategorise",
                ],
            },
            "reason": {"type": "string", "maxLength": 2000},
            "note": {
                "type": "string",
                "maxLength": 2000,
                "description": "Internal (staff only) unless 'public' is true.",
            },
            "public": {
                "type": "boolean",
                "default": False,
                "description": "The note is a reply to the reporter: shown on /lacak and sent to them.",
            },
            "opd": _STRING,
            "kota": _STRING,
            "assignee": _STRING,
            "of": _STRING,
            "category": _STRING,
            "version": {
                "type": "integer",
                "minimum": 0,
                "description": "Refuse (409) if the complaint changed since this version; not a whole number: 400.",
            },
        },
    },
    "Note": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 2000},
            "public": {
                "type": "boolean",
                "default": False,
                "description": "false: internal, for staff only; true: a reply to the reporter.",
            },
        },
    },
    "ActionResult": {
        "type": "object",
        "properties": {
            "id": _STRING,
            "status": _STRING,
            "colour": _STRING,
            "version": {"type": "integer"},
            "opd": _NULLABLE_STRING,
            "assignee": _NULLABLE_STRING,
            "category": _STRING,
        },
    },
    "Photo": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": _STRING,
            "url": _STRING,
            "thumb_url": _STRING,
            "width": {"type": "integer"},
            "height": {"type": "integer"},
            "distance_m": {"type": "integer", "nullable": True},
            "duplicate": {"type": "boolean"},
        },
    },
    "Document": {
        "type": "object",
        "description": "A PDF supporting document; url is /documents/{id} (a download; a confidential report's "
        "only for the staff who reach it and its reporter's own link).",
        "properties": {
            "id": {"type": "integer"},
            "url": _STRING,
            "pages": {"type": "integer"},
            "byte_size": {"type": "integer"},
            "duplicate": {"type": "boolean"},
        },
    },
    "SmsAccepted": {
        "type": "object",
        "properties": {
            "tracking_code": _STRING,
            "status": _STRING,
            "category": _STRING,
            "placed": {"type": "boolean"},
            "duplicate": {"type": "boolean"},
            "tracking_url": _STRING,
            "reply": {"type": "string", "description": "Text to send back to the sender."},
            "rated": {
                "type": "boolean",
                "description": "The SMS was a rating (PUAS / TIDAK PUAS [1-5]) of the sender's newest finished "
                "report: true when recorded, false when the number has none to rate. No report is filed.",
            },
            "satisfied": {"type": "boolean"},
            "score": {"type": "integer", "nullable": True, "minimum": 1, "maximum": 5},
        },
    },
    "WhatsAppAccepted": {
        "type": "object",
        "properties": {
            "tracking_code": _STRING,
            "status": _STRING,
            "category": _STRING,
            "placed": {"type": "boolean"},
            "duplicate": {"type": "boolean"},
            "media_stored": {"type": "integer"},
            "media_refused": {
                "type": "array",
                "items": {"type": "object", "properties": {"file": _STRING, "url": _STRING, "error": _STRING}},
                "description": "Files (by name) or media_urls (by address) that were not acceptable images, or "
                "could not be fetched from the gateway's host; the report is stored without them.",
            },
            "tracking_url": _STRING,
            "reply": {"type": "string", "description": "Text to send back to the sender."},
        },
    },
    "PostAccepted": {
        "type": "object",
        "properties": {
            "tracking_code": _STRING,
            "status": _STRING,
            "category": _STRING,
            "placed": {"type": "boolean"},
            "duplicate": {"type": "boolean"},
        },
    },
}


def _with_database_away(paths: dict[str, Any]) -> dict[str, Any]:
    """Every JSON API operation may answer 503 when the database is away or busy (api/errors.py), in the Error
    shape with ``reason``: listed once here rather than on each path."""
    away = _json_error("The database is away or busy (reason: database_away or database_busy); try again soon.")
    return {
        path: {
            method: {**op, "responses": {**op["responses"], **({} if "503" in op["responses"] else {"503": away})}}
            for method, op in ops.items()
        }
        if path.startswith("/api/v1/")
        else ops
        for path, ops in paths.items()
    }


def document(server_url: str) -> dict[str, Any]:
    """The whole OpenAPI document, with ``server_url`` as its server."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Pantau API",
            "version": "1",
            "description": "Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) and Pantau's JSON API.",
        },
        "servers": [{"url": server_url}],
        "paths": _with_database_away(PATHS),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/api/openapi.json")
def openapi_json() -> Any:
    return jsonify(document(request.url_root.rstrip("/")))
