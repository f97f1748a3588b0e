"""Accepting a PDF supporting document: check it by content, strip what names its author, store it.

A document is accepted only when its bytes are a PDF that pypdf can read: the file name and the type the
browser claims are never looked at, so a renamed program is refused as "not a PDF". It must be at most
``MAX_DOCUMENT_BYTES`` and ``MAX_PAGES`` pages, and not encrypted (its pages could not be counted, nor
would staff be able to open it).

The stored copy is written again by pypdf without its document information (author, creator, producer),
its XMP metadata or anything that runs when it is opened (``/OpenAction``, ``/AA``, JavaScript): a PDF made
on a reporter's computer often carries their name, and an anonymous report keeps no identity. Streams are
copied as they are, never decompressed, so the work is bounded by the file's size. The file's own name is
never kept. Like a photo, a document is stored once per complaint and bytes, in the photo store, and a
citizen's document waits for its report under a random token (``stage_document``, ``attach_staged_document``).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import NameObject
from sqlalchemy import Connection

from db import documents
from db.complaints import Actor, add_event
from photos.store import PhotoStore
from photos.upload import PhotoError

MAX_DOCUMENT_MB = 10
MAX_DOCUMENT_BYTES = MAX_DOCUMENT_MB * 1048576
MAX_PAGES = 50
MAX_DOCUMENTS = 2  # on a report sent from a form (/lapor, /operator/baru)
DOCUMENT_KIND = "document"  # the ``kind`` that sends a document to the photos endpoint
# What a PDF viewer would run when the file is opened, and what names who made it.
_ACTIVE = ("/OpenAction", "/AA", "/Metadata")

# pypdf reports each repair it makes to a damaged file as a warning in the log: a hostile upload would fill it.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ProcessedDocument:
    sha256: str  # of the bytes received, so the same file sent twice is one document
    pdf: bytes  # the cleaned copy that is stored
    pages: int


@dataclass(frozen=True)
class StoredDocument:
    id: int
    complaint_id: int
    sha256: str
    byte_size: int
    pages: int
    duplicate: bool


def looks_like_pdf(data: bytes) -> bool:
    """True when the bytes begin as a PDF does (after any blank space); a photo never does."""
    return data[:1024].lstrip(b" \t\r\n\f\x00").startswith(b"%PDF-")


def process_document(data: bytes) -> ProcessedDocument:
    """Check one PDF and make the copy that is stored; raises PhotoError (``document.*``) with a clear reason."""
    if not data:
        raise PhotoError("photo.empty", "the file is empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PhotoError(
            "document.too_large",
            f"the file is {len(data) / 1e6:.1f} MB; a document may be at most {MAX_DOCUMENT_MB} MB",
            mb=MAX_DOCUMENT_MB,
        )
    if not looks_like_pdf(data):
        raise PhotoError("document.not_pdf", "not a PDF document")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PhotoError("document.encrypted", "the PDF is encrypted (password-protected)")
        pages = len(reader.pages)
        if pages == 0:
            raise PhotoError("document.not_pdf", "the PDF has no pages")
        if pages > MAX_PAGES:
            raise PhotoError(
                "document.too_many_pages", f"the PDF has {pages} pages; at most {MAX_PAGES}", n=pages, max=MAX_PAGES
            )
        cleaned = _clean(reader)
    except PhotoError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise PhotoError("document.not_pdf", f"not a readable PDF ({exc.__class__.__name__})") from exc
    return ProcessedDocument(hashlib.sha256(data).hexdigest(), cleaned, pages)


def _clean(reader: PdfReader) -> bytes:
    writer = PdfWriter(clone_from=reader)
    writer._info = None  # no /Info dictionary at all: author, creator, producer, title, dates
    root = writer._root_object
    for key in _ACTIVE:
        root.pop(NameObject(key), None)
    names = root.get("/Names")
    if names is not None:
        names.get_object().pop(NameObject("/JavaScript"), None)
    for page in writer.pages:
        page.pop(NameObject("/AA"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def store_document(
    conn: Connection, store: PhotoStore, complaint_id: int, processed: ProcessedDocument, actor: Actor
) -> StoredDocument:
    """Store a checked document with its complaint and a 'document_added' event; idempotent per (complaint, bytes)."""
    existing = documents.find(conn, complaint_id, processed.sha256)
    if existing is not None:
        return StoredDocument(
            existing["id"], complaint_id, processed.sha256, existing["byte_size"], existing["page_count"], True
        )
    key = f"documents/{processed.sha256[:2]}/{processed.sha256}.pdf"
    store.put(key, processed.pdf)
    new_id = documents.insert(
        conn,
        {
            "complaint_id": complaint_id,
            "storage_key": key,
            "sha256": processed.sha256,
            "byte_size": len(processed.pdf),
            "page_count": processed.pages,
            "uploader_id": actor.user_id,
            "uploader_role": actor.role,
        },
    )
    if new_id is None:
        # A concurrent retry of the same upload won the race: return what it stored.
        return store_document(conn, store, complaint_id, processed, actor)
    add_event(conn, complaint_id, "document_added", actor, data={"document_id": new_id, "pages": processed.pages})
    documents.touch_complaint(conn, complaint_id)
    return StoredDocument(new_id, complaint_id, processed.sha256, len(processed.pdf), processed.pages, False)


def save_document(conn: Connection, store: PhotoStore, complaint_id: int, data: bytes, actor: Actor) -> StoredDocument:
    """Check and store a PDF for a complaint (``process_document`` then ``store_document``)."""
    return store_document(conn, store, complaint_id, process_document(data), actor)


def stage_document(conn: Connection, data: bytes) -> tuple[str, ProcessedDocument]:
    """Check a PDF that has no complaint yet and keep it for a while; returns its token."""
    processed = process_document(data)
    return documents.stage(conn, processed.sha256, processed.pdf, processed.pages), processed


def attach_staged_document(
    conn: Connection, store: PhotoStore, complaint_id: int, token: str, actor: Actor
) -> StoredDocument:
    """Store a staged document with its complaint; PhotoError if it expired or was used."""
    row = documents.take(conn, token)
    if row is None:
        raise PhotoError("photo.expired", "the staged document is gone (expired or already used); upload it again")
    processed = ProcessedDocument(row["sha256"], bytes(row["pdf"]), row["page_count"])
    return store_document(conn, store, complaint_id, processed, actor)


def discard_staged_document(conn: Connection, token: str) -> None:
    """Forget a staged document the reporter removed from the form."""
    documents.discard(conn, token)
