"""Realistic demo complaints, so a newcomer sees a living map.

Points are spread over the real kelurahan in proportion to their area; they
go through the same bulk path as ``import-complaints`` (so they are routed by
the same rules), then move along their lifecycle by age, with photos.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from db.complaints import WIB, NewComplaint, category_ids
from db.imports import bulk_store
from db.sql import sql
from photos.demo_images import ensure_demo_images
from photos.store import PhotoStore

# Share of reports per category, roughly as city dashboards show them.
CATEGORY_WEIGHTS = {
    "jalan_rusak": 18, "banjir_drainase": 14, "sampah": 16, "lalu_lintas": 9, "penerangan_jalan": 9,
    "pohon_tumbang": 5, "ketertiban_umum": 9, "kesehatan": 5, "adminduk": 8, "bencana": 2, "lainnya": 5,
}  # fmt: skip
CHANNEL_WEIGHTS = {"app": 45, "web": 18, "social": 15, "sms": 10, "call_centre": 8, "walk_in": 4}
DESCRIPTIONS = {
    "jalan_rusak": ["Jalan berlubang cukup dalam, membahayakan pengendara motor.", "Aspal mengelupas sepanjang 50 meter di depan sekolah.", "Jalan rusak parah setelah hujan, banyak genangan."],
    "banjir_drainase": ["Saluran air tersumbat, air meluap ke jalan saat hujan.", "Banjir setinggi lutut di permukiman warga.", "Gorong-gorong tertutup sampah dan lumpur."],
    "sampah": ["Sampah menumpuk di pinggir jalan sudah tiga hari belum diangkut.", "TPS liar di dekat kali, bau menyengat.", "Tumpukan sampah di depan pasar."],
    "lalu_lintas": ["Kemacetan parah setiap pagi karena lampu lalu lintas mati.", "Parkir liar menyebabkan macet di persimpangan.", "Rambu lalu lintas roboh."],
    "penerangan_jalan": ["Lampu penerangan jalan mati, jalan gelap dan rawan.", "Tiang PJU miring hampir roboh.", "Tiga lampu jalan padam berturut-turut."],
    "pohon_tumbang": ["Pohon tumbang menutup sebagian jalan.", "Dahan besar patah menimpa kabel listrik.", "Pohon miring rawan tumbang di dekat rumah warga."],
    "ketertiban_umum": ["Pedagang kaki lima menutup trotoar.", "Bangunan liar di bantaran kali.", "Balap liar setiap malam minggu."],
    "kesehatan": ["Banyak jentik nyamuk, beberapa warga terkena DBD.", "Puskesmas tutup lebih awal dari jadwal.", "Pengasapan (fogging) diperlukan di RT kami."],
    "adminduk": ["KTP elektronik belum jadi sejak dua bulan.", "Antrean pembuatan KK sangat panjang.", "Data kependudukan salah, mohon perbaikan."],
    "bencana": ["Tanah longsor kecil di tepi kali.", "Angin kencang merusak atap rumah warga.", "Kebakaran lahan kosong dekat permukiman."],
    "lainnya": ["Fasilitas taman bermain rusak.", "Pengaduan umum tentang pelayanan kelurahan.", "Halte bus rusak dan kotor."],
}  # fmt: skip
# Places outside both cities (Jakarta, Bogor): kept as luar_wilayah for triage.
OUTSIDE = [(106.8456, -6.2088), (106.7890, -6.5950), (106.4800, -6.1900)]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _arrivals(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """When each demo report came in, oldest first: ages spread evenly over 90 days, more in daytime.

    Stored in that order, as a running city stores its reports, the table's order follows time, and so do the
    indexes keyed by time within an area (the leaders' live index). Stored in random order, an index-only scan of
    those indexes looked up another page of the visibility map for nearly every entry: at 5,000,000 reports,
    493,089 buffer accesses for 557,009 open complaints (7,094 in time order), and 0.33 s where 0.25 s will do.
    """
    times = []
    for _ in range(count):
        created = now - timedelta(days=rng.uniform(0, 90))
        created = created.replace(hour=rng.choice([7, 8, 9, 10, 11, 13, 14, 15, 16, 19, 21]), minute=rng.randrange(60))
        if created > now:
            created -= timedelta(days=1)
        times.append(created)
    times.sort()
    return times


def seed_demo(
    conn: Connection, store: PhotoStore, count: int, seed: int = 7, progress: Callable[[int], None] | None = None
) -> int:
    """Create ``count`` demo complaints over the last 90 days, stored oldest first; returns how many were stored."""
    # A one-off bulk load, not a request: on a busy machine its lifecycle UPDATE can outrun PANTAU_STATEMENT_TIMEOUT_MS
    # and leave `make run` with no demo data; the transaction still holds it to all or nothing.
    conn.execute(text("SET LOCAL statement_timeout = 0"))
    rng = random.Random(seed)
    categories = category_ids(conn)
    points = conn.execute(sql("demo_points"), {"n": count, "seed": seed}).all()
    arrivals = _arrivals(rng, len(points), datetime.now(WIB))

    def rows() -> Iterator[tuple[int, NewComplaint, int]]:
        for line, ((lon, lat), created) in enumerate(zip(points, arrivals, strict=True), start=1):
            if rng.random() < 0.004:
                lon, lat = OUTSIDE[rng.randrange(len(OUTSIDE))]
                lon, lat = lon + rng.uniform(-0.01, 0.01), lat + rng.uniform(-0.01, 0.01)
            category = _weighted(rng, CATEGORY_WEIGHTS)
            new = NewComplaint(
                category=category,
                description=rng.choice(DESCRIPTIONS[category]) + f" (demo {line})",
                channel=_weighted(rng, CHANNEL_WEIGHTS),
                lat=lat,
                lon=lon,
                anonymous=rng.random() < 0.1,
                confidential=rng.random() < 0.03,
                source="demo",
                created_at=created,
            )
            yield line, new, categories[category]

    _, stored, _ = bulk_store(conn, rows(), progress)
    # Most of them close at once: the leaders' rollups (migration 0020) are recomputed once afterwards rather than
    # kept row by row, which would slow a five-million-row seeding severalfold.
    conn.execute(text("ALTER TABLE complaint DISABLE TRIGGER pantau_rollup_update"))
    conn.execute(sql("demo_lifecycle"))
    conn.execute(text("ALTER TABLE complaint ENABLE TRIGGER pantau_rollup_update"))
    conn.execute(text("SELECT pantau_rollup_rebuild()"))
    images = [asdict(i) for i in ensure_demo_images(store)]
    conn.execute(sql("demo_photos"), {"images": json.dumps(images)})
    return stored


def complaint_count(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM complaint")).scalar_one())
