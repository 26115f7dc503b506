"""QR codes for physical touchpoints (a receipt, a counter, a van): the survey's public link,
tagged with the place it hangs in, so answers can be compared store by store."""

from __future__ import annotations

import io
import re
from typing import Literal
from urllib.parse import urlencode

import segno

from cxloop.errors import ValidationFailed

PLACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$")
"""What a place tag may look like (it travels in a URL and is shown in reports)."""

QRFormat = Literal["png", "svg"]
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}


def check_place(place: str | None) -> str | None:
    if place and not PLACE.match(place):
        raise ValidationFailed(
            "a place is 1-100 letters, digits, spaces and _ . : - (e.g. 'store-lisbon-1')",
            field="place",
        )
    return place or None


def survey_link(public_url: str, key: str, *, channel: str = "qr", place: str | None = None) -> str:
    query = {"channel": channel, **({"place": place} if place else {})}
    return f"{public_url.rstrip('/')}/s/{key}?{urlencode(query)}"


def qr_image(link: str, *, kind: QRFormat = "svg", scale: int = 8) -> bytes:
    """The QR code of ``link``, with a quiet zone, as PNG or SVG bytes."""
    code = segno.make(link, error="m")
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=scale, title="Survey QR code", desc=link)
    else:
        code.save(out, kind="png", scale=scale)
    return out.getvalue()
