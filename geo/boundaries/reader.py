"""Read a city's boundary file (GeoJSON, GeoPackage, Shapefile) into standard columns.

Any CRS is reprojected to EPSG:4326. Property names vary between sources
(BIG's RBI layer says ``KDEPUM``/``WADMKD``, others ``kode_desa``/``nama``), so
each standard field accepts a list of aliases; what cannot be found is named in
a clear error. Geometry repair and overlap/gap checks happen in PostGIS
(``db/boundaries.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio

LEVELS = ("kelurahan", "kecamatan")

ALIASES: dict[str, tuple[str, ...]] = {
    "kode_kelurahan": (
        "kode_kelurahan",
        "kode_desa",
        "kd_kel",
        "kdepum",
        "kode_kemendagri_kelurahan",
        "kode_kemendagri",
    ),
    "kelurahan": ("kelurahan", "nama_kelurahan", "desa", "nama_desa", "wadmkd", "namobj"),
    "kode_kecamatan": ("kode_kecamatan", "kd_kec", "kdcpum"),
    "kecamatan": ("kecamatan", "nama_kecamatan", "wadmkc"),
    "kode_kota": ("kode_kota", "kode_kabupaten", "kd_kab", "kdpkab"),
    "kota": ("kota", "kabupaten", "nama_kota", "wadmkk"),
}

# The fields each level needs; parent codes may be derived from the level's own code.
REQUIRED: dict[str, tuple[str, ...]] = {
    "kelurahan": ("kode_kelurahan", "kelurahan", "kecamatan", "kota"),
    "kecamatan": ("kode_kecamatan", "kecamatan", "kota"),
}

CODE_DIGITS = {"kelurahan": 10, "kecamatan": 6, "kota": 4}


class BoundaryFileError(ValueError):
    """The file cannot be read as boundaries of the requested level."""


@dataclass(frozen=True)
class BoundaryRows:
    """Standardised rows: one per area, with codes, names, parents and WKB geometry."""

    level: str
    frame: gpd.GeoDataFrame
    source_crs: str
    reprojected: bool


def normalise_code(value: object) -> str:
    """'36.71.01.1001' → '3671011001'; numbers and padded strings alike."""
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    return re.sub(r"[^0-9A-Za-z]", "", text)


def _find_columns(columns: list[str], level: str, mapping: dict[str, str]) -> dict[str, str]:
    lower = {c.lower(): c for c in columns}
    found: dict[str, str] = {}
    for field, aliases in ALIASES.items():
        if field in mapping:
            if mapping[field] not in columns:
                raise BoundaryFileError(f"--field {field}={mapping[field]}: no column {mapping[field]!r} in the file")
            found[field] = mapping[field]
            continue
        for alias in aliases:
            if alias in lower:
                found[field] = lower[alias]
                break
    missing = [f for f in REQUIRED[level] if f not in found]
    if missing:
        hints = "; ".join(f"{f} (accepted names: {', '.join(ALIASES[f])})" for f in missing)
        raise BoundaryFileError(
            f"the file lacks fields needed for level {level}: {hints}. "
            f"Its columns are: {', '.join(c for c in columns if c != 'geometry') or '(none)'}. "
            "Name a column with --field FIELD=COLUMN."
        )
    return found


def read_boundaries(path: Path | str, level: str, mapping: dict[str, str] | None = None) -> BoundaryRows:
    """Read ``path`` as ``level`` areas in EPSG:4326 with standard columns."""
    if level not in LEVELS:
        raise BoundaryFileError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    path = Path(path)
    if not path.exists():
        raise BoundaryFileError(f"{path}: no such file")
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise BoundaryFileError(f"{path}: not a readable GeoJSON, GeoPackage or Shapefile ({exc})") from exc
    if frame.empty:
        raise BoundaryFileError(f"{path}: the file has no features")
    if frame.crs is None:
        raise BoundaryFileError(f"{path}: the file does not say its coordinate reference system")
    source_crs = frame.crs.to_string()
    reprojected = frame.crs.to_epsg() != 4326
    if reprojected:
        frame = frame.to_crs(4326)
    columns = _find_columns(list(frame.columns), level, mapping or {})

    out = gpd.GeoDataFrame(geometry=frame.geometry.force_2d(), crs=4326)
    own = "kode_kelurahan" if level == "kelurahan" else "kode_kecamatan"
    out["code"] = frame[columns[own]].map(normalise_code)
    out["name"] = frame[columns[level]].astype(str).str.strip()
    kec_code = (
        frame[columns["kode_kecamatan"]].map(normalise_code) if "kode_kecamatan" in columns else out["code"].str[:6]
    )
    kota_code = frame[columns["kode_kota"]].map(normalise_code) if "kode_kota" in columns else out["code"].str[:4]
    out["kecamatan_code"] = kec_code if level == "kelurahan" else None
    out["kecamatan_name"] = frame[columns["kecamatan"]].astype(str).str.strip() if level == "kelurahan" else None
    out["kota_code"] = kota_code
    out["kota_name"] = frame[columns["kota"]].astype(str).str.strip()

    bad = out[out.geometry.isna() | out.geometry.is_empty]
    if len(bad):
        raise BoundaryFileError(f"{path}: features without geometry: {', '.join(bad['code'].head(10))}")
    wrong_type = out[~out.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(wrong_type):
        raise BoundaryFileError(
            f"{path}: boundaries must be polygons; found {', '.join(sorted(set(wrong_type.geometry.geom_type)))}"
        )
    digits = CODE_DIGITS[level]
    odd = out[~out["code"].str.fullmatch(rf"\d{{{digits}}}")]
    if len(odd):
        raise BoundaryFileError(
            f"{path}: {level} codes must have {digits} digits (Kemendagri); got {', '.join(odd['code'].head(5))}"
        )
    dupes = out[out["code"].duplicated()]["code"]
    if len(dupes):
        raise BoundaryFileError(f"{path}: duplicate codes {', '.join(sorted(set(dupes))[:10])}")
    return BoundaryRows(level=level, frame=out, source_crs=source_crs, reprojected=reprojected)


def default_files(directory: Path) -> list[tuple[Path, str]]:
    """The shared boundary files: kecamatan first (parents), then kelurahan."""
    files = [(p, "kecamatan") for p in sorted(directory.glob("*_kecamatan.geojson"))]
    files += [(p, "kelurahan") for p in sorted(directory.glob("*_kelurahan.geojson"))]
    return files
