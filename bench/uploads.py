"""What hostile photo uploads cost the server: its resident memory while ten arrive at once, beside idle.

Anyone may send /lapor a photo. Each "bomb" is a small file whose header
promises the most pixels its kind of image may have (``photos/upload.py``,
``PIXEL_CAPS``), in the shape that costs most to decode; ``png_60mp`` is the
decompression bomb of issue 12 (a 58 KB PNG of 7740×7740), now refused from
its header. Ten of a kind are sent at once, each through /lapor's photo
callback as the page sends it, to the app served as one process (``python
app.py``, a thread per request), and that process's peak resident memory
(``VmHWM``, reset before each round) is read from ``/proc``.

Figures:

- ``upload_idle_rss_mb``: the server after start-up, a page and one ordinary photo;
- ``upload_peak_rss_mb_<bomb>``: its peak while ten ``<bomb>`` uploads are handled at once;
- ``upload_peak_rss_ratio``: the largest of those peaks over the idle figure (target: below 2);
- ``upload_peak_rss_mb_photo_15mb``: its peak while ten photos of the largest size allowed
  (``PANTAU_MAX_PHOTO_MB``, 15 MB, cheap to decode) arrive at once: what their requests cost
  (each carries its photo base64-encoded in JSON), bounded by ``MAX_CONTENT_LENGTH`` and the
  threads serving at once (``PANTAU_THREADS`` per worker under gunicorn).

The photos it stages are deleted afterwards.
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pillow_heif
from PIL import Image
from sqlalchemy import text

from bench.common import bench_database, bench_url, emit, log, served

CONCURRENT = 10
pillow_heif.register_heif_opener()  # to write the HEIC bomb


def _saved(mode: str, size: tuple[int, int], fmt: str, **options: object) -> Callable[[], bytes]:
    def make() -> bytes:
        out = io.BytesIO()
        Image.new(mode, size).save(out, fmt, **options)
        return out.getvalue()

    return make


# name → the file; each just under its kind's cap, in its costliest shape.
BOMBS: dict[str, Callable[[], bytes]] = {
    "png_60mp": _saved("1", (7740, 7740), "PNG"),
    "png_rgba_16mp": _saved("RGBA", (4000, 4000), "PNG"),
    "png_palette_16mp": _saved("P", (4000, 4000), "PNG"),
    "jpeg_40mp": _saved("RGB", (8000, 5000), "JPEG", quality=10),
    # The largest JPEG decoded at full scale: half of it would be smaller than the stored 2560 pixels.
    "jpeg_26mp": _saved("RGB", (5119, 5119), "JPEG", quality=10),
    "jpeg_progressive_16mp": _saved("RGB", (4000, 4000), "JPEG", quality=10, progressive=True, subsampling=0),
    "webp_10mp": _saved("RGB", (3162, 3162), "WEBP", lossless=True),
    "heic_24mp": _saved("RGB", (6000, 4000), "HEIF", quality=10),
}


def _largest_photo() -> bytes:
    """A photo of exactly 15 MB (the default PANTAU_MAX_PHOTO_MB): random pixels, and what a camera appends."""
    side = 2200
    picture = Image.frombytes("RGB", (side, side), random.Random(12).randbytes(side * side * 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=98, subsampling=0)
    return out.getvalue() + b"\0" * (15 * 1048576 - 4096 - len(out.getvalue()))


def _server_pid() -> int:
    """The app process that bench.common.served started (a child of this process)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if ppid == os.getpid() and b"app.py" in cmdline:
            return int(proc.name)
    raise RuntimeError("app process not found")


def _memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def _reset_peak(pid: int) -> None:
    # Linux: writing 5 sets the process's peak resident memory (VmHWM) back to what it holds now.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Lapor:
    """A visitor of /lapor: its cookies (session, CSRF token) and its photo callback."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{base}/lapor", timeout=60).read()
        self.csrf = next(c.value for c in self.jar if c.name == "_csrf_token")

    def send_photo(self, data: bytes, name: str) -> str:
        """Choose one photo; the message the page shows under the picker."""
        pending = {
            "name": name,
            "bytes": len(data),
            "contents": "data:image/jpeg;base64," + base64.b64encode(data).decode(),
            "at": time.time(),
        }
        outputs = ["lapor-photo-tokens.data", "lapor-upload-msg.children", "lapor-upload.contents"]
        payload = {
            "output": ".." + "...".join(outputs) + "..",
            "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
            "inputs": [{"id": "lapor-pending", "property": "data", "value": pending}],
            "changedPropIds": ["lapor-pending.data"],
            "state": [
                {"id": "lapor-photo-tokens", "property": "data", "value": []},
                {"id": "lapor-ctx", "property": "data", "value": {"lang": "en", "max_bytes": 15 * 1048576}},
            ],
        }
        request = urllib.request.Request(
            f"{self.base}/_dash-update-component",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
        )
        with self.opener.open(request, timeout=600) as response:
            answer = json.loads(response.read())
        return str(answer["response"]["lapor-upload-msg"]["children"]["props"]["children"])


def run() -> None:
    engine = bench_database(0)
    with engine.connect() as conn:
        started = conn.execute(text("SELECT now()")).scalar_one()
    # The limit per address would refuse most of the bombs before they cost anything: this measures decoding.
    os.environ["PANTAU_SUBMIT_RATE"] = "100000/minute"
    bombs = {name: make() for name, make in BOMBS.items()}
    for name, data in bombs.items():
        log(f"{name}: {len(data) / 1024:.0f} KB")
    try:
        with served(bench_url(0)) as base:
            pid = _server_pid()
            visitors = [Lapor(base) for _ in range(CONCURRENT)]
            log(f"{_memory_mb(pid, 'VmRSS'):.0f} MB before any photo")
            ordinary = io.BytesIO()
            Image.new("RGB", (4000, 3000), (90, 120, 60)).save(ordinary, "JPEG", quality=90)
            message = visitors[0].send_photo(ordinary.getvalue(), "ordinary.jpg")
            if "is ready" not in message:
                raise RuntimeError(f"an ordinary photo was refused: {message}")
            idle = _memory_mb(pid, "VmRSS")
            emit("upload_idle_rss_mb", idle, "MB")
            with ThreadPoolExecutor(CONCURRENT) as pool:

                def ten_at_once(name: str, data: bytes) -> float:
                    _reset_peak(pid)
                    before = _memory_mb(pid, "VmRSS")
                    began = time.perf_counter()
                    answers = list(pool.map(lambda v: v.send_photo(data, f"{name}.img"), visitors))
                    seconds = time.perf_counter() - began
                    peak = _memory_mb(pid, "VmHWM")
                    emit(f"upload_peak_rss_mb_{name}", peak, "MB")
                    log(
                        f"{name}: ten at once in {seconds:.1f} s, {before:.0f} MB before and "
                        f"{_memory_mb(pid, 'VmRSS'):.0f} MB after; the page said {answers[0]!r}"
                    )
                    unexpected = [a for a in answers if "is ready" not in a and "too many pixels" not in a]
                    if unexpected:
                        raise RuntimeError(f"{name}: unexpected answers {unexpected[:2]}")
                    return peak

                worst = max(ten_at_once(name, data) for name, data in bombs.items())
                emit("upload_peak_rss_ratio", worst / idle, "x idle")
                ten_at_once("photo_15mb", _largest_photo())
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM photo_upload WHERE created_at >= :t"), {"t": started})
