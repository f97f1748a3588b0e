"""Illustrative before/after pictures for demo complaints, drawn here so nothing is downloaded."""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from photos.store import PhotoStore

SIZE = (640, 480)


@dataclass(frozen=True)
class DemoImage:
    key: str
    kind: str
    sha256: str
    byte_size: int
    width: int
    height: int


def _draw(kind: str, variant: int) -> bytes:
    rng = random.Random(f"{kind}-{variant}")
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    sky = (120 + rng.randint(0, 60), 160 + rng.randint(0, 40), 210)
    for y in range(SIZE[1]):
        shade = y / SIZE[1]
        draw.line([(0, y), (SIZE[0], y)], fill=tuple(int(c * (1 - 0.35 * shade)) for c in sky))
    # A road receding to the horizon.
    draw.polygon([(0, 480), (640, 480), (380, 250), (260, 250)], fill=(90, 90, 95))
    draw.rectangle([0, 250, 640, 262], fill=(70, 120, 70))
    if kind == "report":
        for _ in range(9):  # potholes, puddles, rubbish
            x, y = rng.randint(120, 520), rng.randint(300, 460)
            r = rng.randint(12, 38)
            draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=(rng.randint(40, 70), 55, 45))
        label = "SEBELUM · laporan warga"
        band = (200, 40, 40)
    else:
        for i in range(6):  # fresh lane markings
            y = 470 - i * 38
            draw.rectangle([316 - (6 - i), y - 14, 324 + (6 - i), y], fill=(240, 240, 235))
        label = "SESUDAH · pekerjaan selesai"
        band = (30, 130, 70)
    draw.rectangle([0, 0, SIZE[0], 44], fill=band)
    font = ImageFont.load_default(size=24)
    draw.text((14, 8), f"{label}  (contoh {variant + 1})", fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def ensure_demo_images(store: PhotoStore, variants: int = 4) -> list[DemoImage]:
    """Write the demo pictures into the store (once) and describe them."""
    images = []
    for kind in ("report", "completion"):
        for variant in range(variants):
            data = _draw(kind, variant)
            key = f"demo/{kind}-{variant + 1}.jpg"
            if not store.exists(key):
                store.put(key, data)
            images.append(DemoImage(key, kind, hashlib.sha256(data).hexdigest(), len(data), *SIZE))
    return images
