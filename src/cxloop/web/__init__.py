"""Server-rendered pages (Jinja2 + HTMX, assets vendored: no build step, no CDN)."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Attach the web pages and static assets to ``app``."""


__all__ = ["mount"]
