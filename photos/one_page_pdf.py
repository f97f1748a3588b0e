"""A one-page A4 PDF of labelled lines and a row of JPEG thumbnails, written with pypdf (already a dependency,
for checking documents: ``photos/document.py``), for a report handed over to another office by hand.

The text is set in the PDF's standard Helvetica (every viewer has it, nothing is embedded) in WinAnsi
encoding: Indonesian text is Latin; a character outside it shows as "?". The JPEGs are embedded as they are
(DCT), never decoded again. What does not fit on the page is cut, ending with "…", so the export is always
one page; the caller says what goes in (``services/handover.py`` decides what may leave the building).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

WIDTH, HEIGHT = 595.28, 841.89  # A4, in points
MARGIN = 48.0
LABEL_W = 165.0  # the column of labels ("Tindak lanjut paling lambat" in bold fits); values to its right
SIZE = 10.0  # body text, points
LEADING = 13.0
# Helvetica's mean advance is about half an em for mixed text: a value line of this many characters fits.
CHARS = int((WIDTH - 2 * MARGIN - LABEL_W) / (SIZE * 0.53))
THUMB_H = 110.0  # a thumbnail's height on the page, points
FONTS = {"/F1": "/Helvetica", "/F2": "/Helvetica-Bold"}


@dataclass(frozen=True)
class Sheet:
    title: str
    subtitle: str
    rows: Sequence[tuple[str, str]]  # (label, value); a value may be several paragraphs
    thumbnails: Sequence[bytes] = ()  # JPEG bytes, drawn in one row under the rows
    footer: str = ""


def _pdf_text(value: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252), with its delimiters escaped and control characters dropped."""
    clean = "".join(ch if ch >= " " else " " for ch in value)
    raw = clean.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _show(font: str, size: float, x: float, y: float, value: str) -> bytes:
    return b"BT %s %.1f Tf %.2f %.2f Td %s Tj ET\n" % (font.encode(), size, x, y, _pdf_text(value))


def _wrapped(value: str) -> list[str]:
    lines: list[str] = []
    for paragraph in value.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, CHARS, break_long_words=True) or [""]
    return lines


def one_page_pdf(sheet: Sheet) -> bytes:
    """The sheet as the bytes of a one-page PDF."""
    bottom = MARGIN + (THUMB_H + 2 * LEADING if sheet.thumbnails else 0) + 2 * LEADING
    y = HEIGHT - MARGIN - 16
    ops = [_show("/F2", 16, MARGIN, y, sheet.title)]
    y -= LEADING + 4
    ops.append(_show("/F1", SIZE, MARGIN, y, sheet.subtitle))
    y -= 2 * LEADING
    for label, value in sheet.rows:
        if y < bottom:
            break
        ops.append(_show("/F2", SIZE, MARGIN, y, label))
        for line in _wrapped(value):
            if y < bottom:  # the rest does not fit on the one page
                ops.append(_show("/F1", SIZE, MARGIN + LABEL_W, y, "…"))
                y -= LEADING
                break
            ops.append(_show("/F1", SIZE, MARGIN + LABEL_W, y, line))
            y -= LEADING
        y -= 4
    writer = PdfWriter()
    page = writer.add_blank_page(WIDTH, HEIGHT)
    images = DictionaryObject()
    x = MARGIN
    top = y - 8  # under the last row: the loop left room for them above ``bottom``
    for number, jpeg in enumerate(sheet.thumbnails):
        with Image.open(io.BytesIO(jpeg)) as image:
            (w, h), mode = image.size, image.mode
        shown_w = THUMB_H * w / h
        if x + shown_w > WIDTH - MARGIN:
            break
        stream = DecodedStreamObject()
        stream.set_data(jpeg)  # already DCT: embedded as it is
        stream.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(w),
                NameObject("/Height"): NumberObject(h),
                NameObject("/ColorSpace"): NameObject("/DeviceGray" if mode == "L" else "/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Filter"): NameObject("/DCTDecode"),
            }
        )
        name = f"/Im{number}"
        images[NameObject(name)] = writer._add_object(stream)
        ops.append(b"q %.2f 0 0 %.2f %.2f %.2f cm %s Do Q\n" % (shown_w, THUMB_H, x, top - THUMB_H, name.encode()))
        x += shown_w + 8
    if sheet.footer:
        ops.append(_show("/F1", 8, MARGIN, MARGIN - 16, sheet.footer))
    fonts = DictionaryObject(
        {
            NameObject(key): DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject(base),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            )
            for key, base in FONTS.items()
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): fonts,
            NameObject("/XObject"): images,
            NameObject("/ProcSet"): ArrayObject([NameObject("/PDF"), NameObject("/Text"), NameObject("/ImageC")]),
        }
    )
    content = DecodedStreamObject()
    content.set_data(b"".join(ops))
    page[NameObject("/Contents")] = writer._add_object(content)
    writer.add_metadata({"/Title": sheet.title, "/Producer": "Pantau"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
