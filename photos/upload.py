"""Accepting a photo: check it by content, re-encode it without personal metadata, store it.

JPEG, PNG, WebP and HEIC are accepted, recognised by their bytes (never by file
name). The stored copy is a re-encoded JPEG with EXIF orientation applied and
all EXIF (GPS, camera, owner) removed; the photo's own GPS position, when it
has one, is kept in the database so an operator can see how far from the
report it was taken. A thumbnail is made once, here. Files are written before
the database row, each to a temporary name moved into place, so a crash never
leaves the database pointing at half a photo. The same bytes uploaded again for
the same complaint return the stored photo instead of a copy.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Connection, text

from db.complaints import Actor, add_event
from db.models import PHOTO_KINDS
from photos.store import PhotoStore

pillow_heif.register_heif_opener()

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
MAX_PIXELS = 60_000_000  # larger than any phone camera; refuses decompression bombs
STORED_MAX_SIDE = 2560
THUMB_SIDE = 320
GPS_IFD = 0x8825


class PhotoError(ValueError):
    """A refused upload; ``key`` is the i18n message key, ``detail`` says why in English."""

    def __init__(self, key: str, detail: str):
        super().__init__(detail)
        self.key = key
        self.detail = detail


@dataclass(frozen=True)
class ProcessedImage:
    sha256: str
    source_mime: str
    jpeg: bytes
    thumb: bytes
    width: int
    height: int
    gps: tuple[float, float] | None  # (lon, lat)


@dataclass(frozen=True)
class StoredPhoto:
    id: int
    complaint_id: int
    kind: str
    sha256: str
    width: int
    height: int
    byte_size: int
    distance_m: float | None
    duplicate: bool


def _rational(value: object) -> float:
    if isinstance(value, tuple):
        return float(value[0]) / float(value[1])
    return float(value)  # type: ignore[arg-type]


def _gps_of(image: Image.Image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:
        return None
    try:
        lat_ref, lat, lon_ref, lon = gps[1], gps[2], gps[3], gps[4]
        latitude = sum(_rational(part) / 60**i for i, part in enumerate(lat))
        longitude = sum(_rational(part) / 60**i for i, part in enumerate(lon))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if str(lat_ref).upper().startswith("S"):
        latitude = -latitude
    if str(lon_ref).upper().startswith("W"):
        longitude = -longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return (longitude, latitude)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)  # no exif= argument: nothing personal is written
    return out.getvalue()


def process_image(data: bytes, max_bytes: int) -> ProcessedImage:
    """Check and re-encode one upload; raises PhotoError with a clear reason."""
    if not data:
        raise PhotoError("photo.empty", "the file is empty")
    if len(data) > max_bytes:
        raise PhotoError("photo.too_large", f"the file is {len(data) / 1e6:.1f} MB; at most {max_bytes / 1e6:.0f} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format or ""
            if fmt not in ACCEPTED_FORMATS:
                raise PhotoError("photo.not_image", f"not a JPEG, PNG, WebP or HEIC image (found {fmt or 'unknown'})")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError("photo.not_image", "the image has too many pixels")
            image.load()
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        raise PhotoError(
            "photo.not_image", f"not a readable JPEG, PNG, WebP or HEIC image ({exc.__class__.__name__})"
        ) from exc
    gps = _gps_of(image)
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, (255, 255, 255))
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    upright = upright.convert("RGB")
    upright.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    thumb = upright.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return ProcessedImage(
        sha256=hashlib.sha256(data).hexdigest(),
        source_mime=ACCEPTED_FORMATS[fmt],
        jpeg=_jpeg(upright, 85),
        thumb=_jpeg(thumb, 75),
        width=upright.width,
        height=upright.height,
        gps=gps,
    )


def save_photo(
    conn: Connection,
    store: PhotoStore,
    complaint_id: int,
    data: bytes,
    kind: str,
    actor: Actor,
    max_bytes: int,
) -> StoredPhoto:
    """Process and store a photo for a complaint, with a 'photo_added' event; idempotent per (complaint, bytes)."""
    if kind not in PHOTO_KINDS:
        raise PhotoError("photo.bad_kind", f"kind must be one of {', '.join(PHOTO_KINDS)}")
    processed = process_image(data, max_bytes)
    existing = conn.execute(
        text(
            "SELECT id, kind, width, height, byte_size, distance_m FROM photo WHERE complaint_id = :c AND sha256 = :s"
        ),
        {"c": complaint_id, "s": processed.sha256},
    ).first()
    if existing is not None:
        return StoredPhoto(
            existing.id, complaint_id, existing.kind, processed.sha256, existing.width, existing.height,
            existing.byte_size, existing.distance_m, True,
        )  # fmt: skip
    key = f"{processed.sha256[:2]}/{processed.sha256}.jpg"
    thumb_key = f"{processed.sha256[:2]}/{processed.sha256}-thumb.jpg"
    store.put(key, processed.jpeg)
    store.put(thumb_key, processed.thumb)
    lon, lat = processed.gps if processed.gps else (None, None)
    row = conn.execute(
        text(
            "INSERT INTO photo (complaint_id, kind, storage_key, thumb_key, sha256, mime_type, width, height, byte_size, "
            "uploader_id, uploader_role, gps, distance_m) "
            "SELECT c.id, :kind, :key, :thumb, :sha, 'image/jpeg', :w, :h, :size, :uid, :role, g.p, "
            "ST_Distance(g.p::geography, c.geom::geography) "
            "FROM complaint c, LATERAL (SELECT CASE WHEN CAST(:lon AS double precision) IS NULL THEN NULL "
            "  ELSE ST_SetSRID(ST_MakePoint(CAST(:lon AS double precision), CAST(:lat AS double precision)), 4326) END AS p) g "
            "WHERE c.id = :cid "
            "ON CONFLICT (complaint_id, sha256) DO NOTHING "
            "RETURNING id, distance_m"
        ),
        {
            "cid": complaint_id,
            "kind": kind,
            "key": key,
            "thumb": thumb_key,
            "sha": processed.sha256,
            "w": processed.width,
            "h": processed.height,
            "size": len(processed.jpeg),
            "uid": actor.user_id,
            "role": actor.role,
            "lon": lon,
            "lat": lat,
        },
    ).first()
    if row is None:
        # A concurrent retry of the same upload won the race: return what it stored.
        return save_photo(conn, store, complaint_id, data, kind, actor, max_bytes)
    add_event(
        conn,
        complaint_id,
        "photo_added",
        actor,
        data={
            "photo_id": row.id,
            "kind": kind,
            "distance_m": None if row.distance_m is None else round(row.distance_m),
        },
    )
    # Touching the complaint bumps its data version, so open screens show the photo.
    conn.execute(text("UPDATE complaint SET updated_at = now() WHERE id = :id"), {"id": complaint_id})
    return StoredPhoto(
        row.id, complaint_id, kind, processed.sha256, processed.width, processed.height, len(processed.jpeg),
        row.distance_m, False,
    )  # fmt: skip
