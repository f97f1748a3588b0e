"""What the API's doors take and answer, as pydantic models: the source of ``/api/openapi.json``.

``api/openapi.py`` turns each model into a component of the document; a route
names its models in its ``@operation(...)`` decorator. The staff API builds its
answers through these models (``answer``), so a field added to an answer is a
field added here, and the document follows. Open311 keeps the spec's shape
(``api/open311_format.py`` writes it, in XML or JSON); its models only describe it.
A field that may be left out of an answer (not sent at all, never ``null``) is
typed ``Omitted[...]``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from api.open311_format import w3c
from db.models import PHOTO_KINDS
from db.status import ACTIONS

T = TypeVar("T")

#: A datetime answered as W3C in WIB (``+07:00``), as the document says and tests/contract.py checks.
Wib = Annotated[
    datetime,
    PlainSerializer(w3c, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "W3C datetime in WIB (+07:00)."}),
]
#: A field that is either present with a value of ``T`` or absent from the answer.
Omitted: TypeAlias = T | SkipJsonSchema[None]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Shape(BaseModel):
    """Every model here: its fields are the whole shape (an unknown field is not in the document)."""

    model_config = ConfigDict(populate_by_name=True)


def answer(model: BaseModel) -> dict[str, Any]:
    """``model`` as the JSON body: datetimes in WIB, ``Omitted`` fields left out when not given."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


# ---- Every /api/v1 door's error ----------------------------------------------------------------------------------


class Error(Shape):
    """An error of the JSON API (api/errors.py and every route under /api/v1)."""

    error: str = Field(description="What went wrong, for the developer.")
    code: int = Field(description="The HTTP status again.")
    field: Omitted[str] = Field(None, description="The request field or query parameter it concerns, when one does.")
    message: Omitted[str] = Field(
        None, description="Photo uploads: what went wrong for the person, in the request's language."
    )
    reason: Omitted[str] = Field(None, description="503: database_away or database_busy.")
    reply: Omitted[str] = Field(None, description="Inbound SMS and WhatsApp: the text to send back to the sender.")
    status: Omitted[str | None] = Field(None, description="409 and refusals: the complaint's current status.")
    colour: Omitted[str | None] = Field(None, description="409: the colour of that status.")


# ---- Staff: token, jobs, complaints, actions, notes, photos --------------------------------------------------------


class TokenRequest(Shape):
    username: str
    password: str


class Token(Shape):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds.")
    role: str


class JobsQuery(Shape):
    lat: Latitude | None = Field(None, description="Sort by distance from here (with lon).")
    lon: Longitude | None = Field(None, description="Sort by distance from here (with lat).")
    order: Literal["nearest", "oldest"] = Field("nearest", description="nearest (default) or oldest.")
    limit: int = Field(100, description="At most this many (1-500, default 100).")


class ComplaintFields(Shape):
    """What every staff view of a complaint names."""

    id: str = Field(description="The public tracking code.")
    status: str
    colour: str
    version: int
    category: str
    category_name: str
    description: str | None
    address: str | None
    kelurahan: str | None
    kecamatan: str | None
    opd: str | None
    lat: float | None
    lon: float | None
    created_at: Wib
    due_at: Wib | None
    overdue: bool


class JobLinks(Shape):
    self: str
    transition: str
    notes: str
    photos: str


class Job(ComplaintFields):
    distance_m: int | None = Field(description="From lat/lon when given.")
    links: JobLinks


class JobList(Shape):
    jobs: list[Job]


class Event(Shape):
    kind: str
    at: Wib
    actor_role: str | None
    actor: str | None = Field(description="The staff account's username.")
    from_status: str | None
    to_status: str | None
    note: str | None
    note_public: bool | None
    data: dict[str, Any] | None


class EvidencePhoto(Shape):
    id: int
    kind: str
    url: str
    thumb_url: str
    uploader_role: str | None
    created_at: Wib | None
    distance_m: int | None = Field(description="From the complaint's place, when the photo carried a location.")


class PossibleDuplicate(Shape):
    id: str
    status: str
    distance_m: int


class Reporter(Shape):
    name: str | None
    contact: str | None


class Document(Shape):
    """A PDF supporting document; url is /documents/{id} (a download; a confidential report's only for the staff who
    reach it and its reporter's own link)."""

    id: int
    url: str
    pages: int
    byte_size: int
    duplicate: Omitted[bool] = Field(None, description="The same file was stored for this complaint already.")


class ComplaintDetail(ComplaintFields):
    """One complaint for staff; ``reporter`` only where the role may see who reported it."""

    channel: str
    kota: str | None
    assignee: str | None
    merged_into: str | None
    confidential: bool
    anonymous: bool
    completed_at: Wib | None
    events: list[Event]
    photos: list[EvidencePhoto]
    documents: list[Document]
    answers: dict[str, Any] = Field(description="The answers to the category's questions, by question code.")
    possible_duplicates: list[PossibleDuplicate]
    reporter: Omitted[Reporter] = None


def _staff_actions(schema: dict[str, Any]) -> None:
    """The status machine's actions that some staff role may take, in its order, as the schema's enum."""
    from services.permissions import STAFF_ACTIONS  # services.permissions needs api.auth, which uses these models

    schema["enum"] = [name for name in ACTIONS if name in STAFF_ACTIONS]


class Action(Shape):
    """One action through ``services.actions.act``; which arguments each needs is the status machine's."""

    action: str = Field(json_schema_extra=_staff_actions)
    reason: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=2000, description="Internal (staff only) unless 'public' is true.")
    public: bool = Field(
        False,
        description="The note is a reply to the reporter: shown on /lacak and sent to them in the message of the change.",
    )
    opd: str | None = None
    kota: str | None = None
    assignee: str | None = None
    of: str | None = Field(None, description="duplicate: the tracking code of the original.")
    category: str | None = None
    office: str | None = Field(
        None,
        max_length=200,
        description="forward to a jurisdiction Pantau does not serve and that has no door (handed over by hand): "
        "the office it is given to; required then.",
    )
    office_person: str | None = Field(None, max_length=200, description="That handover: a person there (optional).")
    office_contact: str | None = Field(
        None,
        max_length=200,
        description="That handover: their phone number or e-mail address; required then (anything else: 400).",
    )
    version: int | None = Field(
        None, ge=0, description="Refuse (409) if the complaint changed since this version; not a whole number: 400."
    )


class BulkAction(Action):
    ids: list[str] = Field(min_length=1, max_length=500, description="Tracking codes.")


class ActionResult(Shape):
    """The complaint after the action."""

    id: str
    status: str
    colour: str
    version: int
    opd: str | None
    assignee: str | None
    category: str


class BulkItem(Shape):
    id: str
    ok: bool
    status: str | None
    error: Omitted[str] = Field(None, description="Why this one failed.")
    reason: Omitted[str] = Field(None, description="not_found, forbidden, missing or illegal.")


class BulkResult(Shape):
    done: int
    failed: int
    results: list[BulkItem]


class Note(Shape):
    text: str = Field(min_length=1, max_length=2000)
    public: bool = Field(False, description="false: internal, for staff only; true: a reply to the reporter.")


class NoteAdded(Shape):
    id: str
    status: str | None
    public: bool


class PhotoUpload(Shape):
    file: bytes = Field(
        description="The image (JPEG, PNG, WebP or HEIC), or with kind=document a readable, unencrypted PDF of at most "
        "10 MB and 50 pages (recognised by its bytes, never its name), stored without its document information or "
        "XMP metadata and served at /documents/{id}."
    )
    kind: str = Field("completion", json_schema_extra={"enum": [*PHOTO_KINDS, "document"]})


class StoredPhoto(Shape):
    id: int
    kind: str
    url: str
    thumb_url: str
    width: int
    height: int
    distance_m: int | None
    duplicate: bool = Field(description="The same image was stored for this complaint already.")


class PhotoStored(Shape):
    photo: Omitted[StoredPhoto] = None
    document: Omitted[Document] = None


# ---- Leaders' export -------------------------------------------------------------------------------------------------


class ExportQuery(Shape):
    kota: str | None = Field(None, description="Kemendagri code of a city, e.g. 3671.")
    kecamatan: str | None = Field(None, description="Kemendagri code of a kecamatan (6 digits).")
    kelurahan: str | None = Field(None, description="Kemendagri code of a kelurahan (10 digits).")
    opd: str | None = Field(None, description="OPD code, e.g. 3671.DBMSDA.")
    category: str | None = Field(None, description="Category code.")
    status: str | None = Field(None, description="Comma-separated colours (red, yellow, green, grey) and/or statuses.")
    channel: str | None = Field(None, description="One channel: web, app, sms, social, call_centre, walk_in, api.")
    from_: date | None = Field(None, alias="from", description="First WIB day, YYYY-MM-DD.")
    to: date | None = Field(None, description="Last WIB day, YYYY-MM-DD.")
    period: str | None = Field(None, description="today, 7d, 30d, month or year (from/to win over it).")
    progress: str | None = Field(None, description="A client-chosen token to follow the export's progress.")
    lang: Literal["id", "en"] | None = Field(
        None,
        description="The language of CSV and XLSX headers and words (default: the pantau_lang cookie, then "
        "PANTAU_LANG). GeoJSON keeps its codes in every language.",
    )


class ExportProgress(Shape):
    rows: int
    total: int
    done: bool


# ---- Inbound gateways ------------------------------------------------------------------------------------------------


class InboundSms(Shape):
    sender: str = Field(max_length=64, description="The sender's phone number.")
    text: str = Field(max_length=1600)
    message_id: str | None = Field(None, description="Gateway id; a retry counts once.")


class SmsAccepted(Shape):
    """A report filed from an SMS, or (``rated``) a rating of the sender's newest finished report."""

    tracking_code: Omitted[str] = None
    status: Omitted[str] = None
    category: Omitted[str] = None
    placed: Omitted[bool] = None
    duplicate: Omitted[bool] = None
    tracking_url: Omitted[str] = None
    reply: str = Field(description="Text to send back to the sender.")
    rated: Omitted[bool] = Field(
        None,
        description="The SMS was a rating (PUAS / TIDAK PUAS [1-5]) of the sender's newest finished report: true "
        "when recorded, false when the number has none to rate. No report is filed.",
    )
    satisfied: Omitted[bool] = None
    score: Omitted[int | None] = Field(None, ge=1, le=5)


class InboundWhatsApp(Shape):
    sender: str = Field(max_length=64, description="The sender's WhatsApp number.")
    message_id: str | None = Field(None, max_length=128)
    text: str | None = Field(None, max_length=1600)
    lat: Latitude | None = None
    long: Longitude | None = None
    media_urls: list[str] = Field(
        [],
        max_length=3,
        description="Photos as links on the gateway's own host (the origin of PANTAU_WHATSAPP_OUTBOUND_URL), fetched "
        "with the photo size limit and a short timeout; any other host is refused unfetched.",
    )


class InboundWhatsAppMultipart(InboundWhatsApp):
    media: list[bytes] = Field([], max_length=3, description="Up to three photos.")


class RefusedMedia(Shape):
    file: Omitted[str] = Field(None, description="A refused multipart file, by name.")
    url: Omitted[str] = Field(None, description="A refused media_url, by address.")
    error: str


class WhatsAppAccepted(Shape):
    tracking_code: str
    status: str
    category: str
    placed: bool
    duplicate: bool
    media_stored: int
    media_refused: list[RefusedMedia] = Field(
        description="Files (by name) or media_urls (by address) that were not acceptable images, or could not be "
        "fetched from the gateway's host; the report is stored without them."
    )
    tracking_url: str
    reply: str = Field(description="Text to send back to the sender.")


class SocialPost(Shape):
    platform: str = Field(description="facebook, x, instagram, tiktok…")
    post_id: str = Field(max_length=128)
    author: str = Field(max_length=100, description="The handle.")
    text: str = Field(max_length=1600)
    lat: Latitude | None = None
    long: Longitude | None = None
    place: str | None = Field(None, description="A kelurahan name.")
    media_urls: list[str] = Field([], description="http(s) addresses of the post's pictures.")
    url: str | None = Field(None, description="The post.")


class PostAccepted(Shape):
    tracking_code: str
    status: str
    category: str
    placed: bool
    duplicate: bool


# ---- Open311 GeoReport v2 (the spec's shape; XML carries the same data) ----------------------------------------------


class Open311Error(Shape):
    code: int
    description: str


class Endpoint(Shape):
    specification: str
    url: str
    changeset: Wib
    type: str
    formats: list[str]


class Discovery(Shape):
    changeset: Wib
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(Shape):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime"]
    keywords: str
    group: str = Field(description="The OPD(s) that handle the category.")


class AttributeValue(Shape):
    key: str
    name: str


class Attribute(Shape):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(Shape):
    service_code: str
    attributes: list[Attribute]


class Open311Jurisdiction(Shape):
    jurisdiction_id: str | None = Field(None, description="Kemendagri code of a city (kota), e.g. 3671; optional.")


class Open311Extensions(Shape):
    extensions: bool | None = Field(
        None, description="true adds extended_attributes (Pantau's detailed status, colour, areas, photos)."
    )
    api_key: str | None = Field(
        None, description="Lets a client see confidential requests it filed itself, by id or external_id."
    )


class RequestsQuery(Open311Jurisdiction, Open311Extensions):
    """Without service_request_id, start_date or end_date: the last 90 days; service_request_id overrides every
    other filter."""

    service_request_id: str | None = Field(None, description="Comma-separated tracking codes.")
    service_code: str | None = Field(None, description="Comma-separated service codes.")
    start_date: datetime | None = Field(None, description="W3C datetime; earliest requested_datetime.")
    end_date: datetime | None = Field(None, description="W3C datetime; latest requested_datetime.")
    status: str | None = Field(None, description="open, closed, or both comma-separated.")
    page: int | None = Field(None, ge=1, description="Paging extension: page number from 1.")
    page_size: int | None = Field(None, ge=1, le=1000, description="Paging extension: requests per page.")
    bbox: str | None = Field(None, description="Extension: min_long,min_lat,max_long,max_lat (EPSG:4326).")
    external_id: str | None = Field(
        None, description="Extension: the requests this api_key sent with this attribute[external_id] (needs api_key)."
    )


class NewServiceRequest(Shape):
    """Give lat and long, or address_string (a kelurahan name is placed inside it), or address_id. Answers to the
    service's questions come as ``attribute[CODE]``; ``attribute[external_id]`` is the client's own id for the report:
    the same id from the same api_key again answers the same service_request_id (another Pantau's door sends its
    tracking code)."""

    __pydantic_extra__: dict[str, str] = Field(init=False)
    model_config = ConfigDict(extra="allow")

    api_key: str
    jurisdiction_id: str | None = None
    service_code: str
    lat: Latitude | None = None
    long: Longitude | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = Field(None, max_length=4000)
    media_url: str | None = Field(None, description="Stored as given; never fetched.")
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    anonymous: bool = Field(False, description="Extension: keep no identity of the reporter.")
    confidential: bool = Field(False, description="Extension: the report is never listed publicly.")


class ServiceRequestCreated(Shape):
    service_request_id: str
    service_notice: str
    account_id: str | None = None


class ExtendedAttributes(Shape):
    detailed_status: str
    status_color: Literal["red", "yellow", "green", "grey"]
    kode_kelurahan: str | None
    kelurahan: str | None
    kode_kecamatan: str | None
    kecamatan: str | None
    kode_kota: str | None
    kota: str | None
    completion_photo_urls: list[str]
    external_id: str | None = Field(
        None, description="The sender's own id for the report (attribute[external_id]), if any."
    )


class ServiceRequest(Shape):
    service_request_id: str = Field(description="The public tracking code.")
    status: Literal["open", "closed"]
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str | None = Field(description="The OPD.")
    service_notice: str
    requested_datetime: Wib
    updated_datetime: Wib
    expected_datetime: Wib = Field(description="The due date (working days), WIB.")
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    extended_attributes: Omitted[ExtendedAttributes] = Field(None, description="Only with extensions=true.")
