"""Accepting a photo: check it by content, decode it once within a memory budget, re-encode it, store it.

JPEG, PNG, WebP and HEIC are accepted, recognised by their bytes (never by file
name). Before anything is decoded the header's pixel count is checked against
a cap per kind of image (``PIXEL_CAPS``), set so that decoding one image costs
at most about 170 MB whatever a hostile file claims. A JPEG is decoded straight
at the scale it is stored at (libjpeg's DCT scaling); a full-size image is
shrunk a band of rows at a time and freed before anything else is done with
it; a process decodes one image at a time. ``bench/uploads.py`` measures what
ten hostile uploads at once cost the server (``make bench``).

The stored copy is a re-encoded JPEG with EXIF orientation applied and all EXIF
(GPS, camera, owner) removed; the photo's own GPS position, when it has one, is
kept in the database so an operator can see how far from the report it was
taken (never for a report photo of an anonymous report). A thumbnail is made
once, here. Files are written before the database row, each to a temporary name
moved into place, so a crash never leaves the database pointing at half a
photo. The same bytes uploaded again for the same complaint return the stored
photo instead of a copy.

Citizens' photos arrive before their report exists: ``stage_photo`` processes
one and keeps it in the database under a random token (``db/uploads.py``) for
``attach_staged`` to store with the report.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pillow_heif
from PIL import Image, UnidentifiedImageError
from sqlalchemy import Connection, text

from db.complaints import Actor, add_event
from db.models import PHOTO_KINDS
from db.uploads import stage_upload, take_upload
from i18n import t
from photos.store import PhotoStore

pillow_heif.register_heif_opener()

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a JPEG with extra pictures after the first (3D and some phone cameras)
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
}
# The most pixels decoded, by what decoding costs (measured with Pillow 13, bench/uploads.py): a baseline
# JPEG, a phone camera's own format, is decoded at the scale it is stored at (the costliest is one just
# too small to halve, 26 MP, decoded whole); the rest is decoded whole, at about 6 (PNG), 7 (HEIC,
# progressive JPEG) and 15 (WebP) bytes a pixel.
PIXEL_CAPS = {
    "JPEG": 40_000_000,
    "JPEG progressive": 16_000_000,
    "HEIF": 24_000_000,
    "PNG": 16_000_000,
    "WEBP": 10_000_000,
}
_KIND_NAMES: dict[str, object] = {
    "HEIF": "HEIC",
    "WEBP": "WebP",
    "JPEG progressive": lambda lang: t("photo.progressive_jpeg", lang),
}
STORED_MAX_SIDE = 2560
THUMB_SIDE = 320
_BAND = 256  # rows resized at a time
GPS_IFD = 0x8825
ORIENTATION = 0x0112
# EXIF orientation → the turn that makes the picture upright (as ImageOps.exif_transpose does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# libjpeg holds a whole image's coefficients for a progressive or multi-scan JPEG, whatever the scale it
# outputs (6 bytes a pixel): past this it refuses the file (its own JPEGMEM setting, read at each decode).
# A progressive JPEG under its cap needs at most 96 MB; this stops a multi-scan one the header hides.
# (It binds libjpeg's encoder in this process too, which only ever writes the 2560-pixel copies.)
os.environ.setdefault("JPEGMEM", "100M")
# The caps above are far below Pillow's own bomb limit (89 MP), whose warning would only repeat them in the log.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# Every photo is decoded on one thread per process: one at a time, so ten hostile uploads at once cost
# what one does, and always the same thread, because glibc keeps a heap per thread (bench/uploads.py
# saw 3.5 times the idle memory with a lock and the request threads instead).
_DECODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-decode")
# Big buffers each get their own mapping, handed back whole when freed: glibc starts at 128 kB but raises
# this threshold (to 32 MB) as big buffers come and go, and then keeps every decode's freed memory.
# M_MMAP_THRESHOLD is -3.
with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to set
    ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)


class PhotoError(ValueError):
    """A refused upload; ``key`` is the i18n message key (filled with ``params``), ``detail`` says why in English."""

    def __init__(self, key: str, detail: str, **params: object):
        super().__init__(detail)
        self.key = key
        self.detail = detail
        self.params = params

    def message(self, lang: str | None = None) -> str:
        """The reason in the reader's language (a parameter may itself be a function of the language)."""
        return t(self.key, lang, **{k: v(lang) if callable(v) else v for k, v in self.params.items()})


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


def _gps_of(exif: Image.Exif) -> tuple[float, float] | None:
    try:
        gps = exif.get_ifd(GPS_IFD)
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


def _check_header(image: Image.Image) -> str:
    """The image's format, once its header passes every check; nothing is decoded yet."""
    fmt = image.format or ""
    if fmt not in ACCEPTED_FORMATS:
        raise PhotoError("photo.not_image", f"not a JPEG, PNG, WebP or HEIC image (found {fmt or 'unknown'})")
    kind = "JPEG" if fmt == "MPO" else fmt
    if kind == "JPEG" and image.info.get("progressive"):
        kind = "JPEG progressive"
    pixels = image.width * image.height
    if pixels > PIXEL_CAPS[kind]:
        cap = PIXEL_CAPS[kind] // 1_000_000
        raise PhotoError(
            "photo.too_many_pixels",
            f"the image has {pixels / 1e6:.0f} megapixels; at most {cap} for a {kind}",
            mp=f"{pixels / 1e6:.0f}",
            max=cap,
            kind=_KIND_NAMES.get(kind, kind),
        )
    return fmt


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """``size`` scaled down to fit a ``side``×``side`` box, keeping its shape."""
    width, height = size
    longest = max(width, height)
    if longest <= side:
        return size
    return max(1, round(width * side / longest)), max(1, round(height * side / longest))


def _shrink(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` resized to ``size`` a band of rows at a time, as one resize would (bicubic).

    Resizing at once holds a second copy of the image half-resized; a band holds a few rows of it.
    """
    if image.size == size:
        return image
    out = Image.new(image.mode, size)
    scale = image.height / size[1]
    margin = math.ceil(2 * scale) + 1  # how far the bicubic filter reaches, in source rows
    for top in range(0, size[1], _BAND):
        bottom = min(size[1], top + _BAND)
        y0, y1 = top * scale, bottom * scale
        c0, c1 = max(0, math.floor(y0) - margin), min(image.height, math.ceil(y1) + margin)
        band = image.crop((0, c0, image.width, c1)).resize(
            (size[0], bottom - top), Image.Resampling.BICUBIC, box=(0, y0 - c0, image.width, y1 - c0)
        )
        out.paste(band, (0, top))
    return out


def _decode(data: bytes) -> tuple[str, Image.Image, Image.Exif]:
    """The image's format, the image decoded and shrunk to at most STORED_MAX_SIDE, and its EXIF.

    Only the shrunk image outlives this call: the full-size one is freed on return.
    """
    image: Image.Image = Image.open(io.BytesIO(data))
    fmt = _check_header(image)
    box = _fit(image.size, STORED_MAX_SIDE)
    if box != image.size:
        # A JPEG decodes at 1/2, 1/4 or 1/8 scale, never below the box; a HEIC may hold a copy that big.
        image.draft("RGB", box)
    image.load()
    exif = image.getexif()
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        with_alpha = image.mode in ("PA", "RGBa", "La") or image.has_transparency_data
        image = image.convert("RGBA" if with_alpha else "L" if image.mode == "1" else "RGB")
    return fmt, _shrink(image, _fit(image.size, STORED_MAX_SIDE)), exif


def process_image(data: bytes, max_bytes: int) -> ProcessedImage:
    """Check and re-encode one upload, decoding it once; raises PhotoError with a clear reason."""
    if not data:
        raise PhotoError("photo.empty", "the file is empty")
    mb = f"{max_bytes / 1048576:g}"
    if len(data) > max_bytes:
        raise PhotoError("photo.too_large", f"the file is {len(data) / 1e6:.1f} MB; at most {mb} MB", mb=mb)
    return _DECODER.submit(_process, data).result()


def _process(data: bytes) -> ProcessedImage:
    try:
        fmt, image, exif = _decode(data)
    except PhotoError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own limit (179 MP), checked as it opens the file
        raise PhotoError("photo.far_too_many_pixels", str(exc)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise PhotoError(
            "photo.not_image", f"not a readable JPEG, PNG, WebP or HEIC image ({exc.__class__.__name__})"
        ) from exc
    turn = _UPRIGHT.get(exif.get(ORIENTATION, 1))
    upright = image.transpose(turn) if turn is not None else image
    if upright.mode in ("RGBA", "LA"):
        background = Image.new("RGB", upright.size, (255, 255, 255))
        background.paste(upright, mask=upright.getchannel("A"))
        upright = background
    if upright.mode != "RGB":
        upright = upright.convert("RGB")
    thumb = _shrink(upright, _fit(upright.size, THUMB_SIDE))
    return ProcessedImage(
        sha256=hashlib.sha256(data).hexdigest(),
        source_mime=ACCEPTED_FORMATS[fmt],
        jpeg=_jpeg(upright, 85),
        thumb=_jpeg(thumb, 75),
        width=upright.width,
        height=upright.height,
        gps=_gps_of(exif),
    )


def store_processed(
    conn: Connection, store: PhotoStore, complaint_id: int, processed: ProcessedImage, kind: str, actor: Actor
) -> StoredPhoto:
    """Store a processed photo for a complaint, with a 'photo_added' event; idempotent per (complaint, bytes)."""
    if kind not in PHOTO_KINDS:
        raise PhotoError("photo.bad_kind", f"kind must be one of {', '.join(PHOTO_KINDS)}")
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
            # Where an anonymous reporter stood is part of who they are: their photos keep no position.
            "FROM complaint c, LATERAL (SELECT CASE WHEN CAST(:lon AS double precision) IS NULL "
            "  OR (c.anonymous AND CAST(:kind AS text) = 'report') THEN NULL "
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
        return store_processed(conn, store, complaint_id, processed, kind, actor)
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
    return store_processed(conn, store, complaint_id, process_image(data, max_bytes), kind, actor)


def stage_photo(conn: Connection, data: bytes, max_bytes: int) -> tuple[str, ProcessedImage]:
    """Process a photo that has no complaint yet and keep it for a while; returns its token."""
    processed = process_image(data, max_bytes)
    return stage_upload(conn, _as_row(processed)), processed


def attach_staged(
    conn: Connection, store: PhotoStore, complaint_id: int, token: str, kind: str, actor: Actor
) -> StoredPhoto:
    """Store a staged photo (``stage_photo``) with its complaint; PhotoError if it expired or was used."""
    row = take_upload(conn, token)
    if row is None:
        raise PhotoError("photo.expired", "the staged photo is gone (expired or already used); upload it again")
    gps = (row["lon"], row["lat"]) if row["lon"] is not None else None
    processed = ProcessedImage(
        row["sha256"], row["source_mime"], bytes(row["jpeg"]), bytes(row["thumb"]), row["width"], row["height"], gps
    )
    return store_processed(conn, store, complaint_id, processed, kind, actor)


def _as_row(processed: ProcessedImage) -> dict[str, Any]:
    lon, lat = processed.gps if processed.gps else (None, None)
    return {
        "sha256": processed.sha256,
        "source_mime": processed.source_mime,
        "jpeg": processed.jpeg,
        "thumb": processed.thumb,
        "width": processed.width,
        "height": processed.height,
        "lon": lon,
        "lat": lat,
    }
