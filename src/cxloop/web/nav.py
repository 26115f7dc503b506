"""The main navigation, which every area of the product joins with one call.

Pages for surveys, cases, dashboards and text analytics register themselves here when their
module is imported, so the shared layout never needs editing to add a section.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str
    href: str
    order: int = 100
    permission: str | None = None
    """Shown only to roles with this permission (None: to everyone signed in)."""


_ITEMS: dict[str, NavItem] = {}


def add_nav_item(
    key: str, label: str, href: str, *, order: int = 100, permission: str | None = None
) -> None:
    """Show ``label`` linking to ``href`` in the main navigation (re-adding replaces it)."""
    _ITEMS[key] = NavItem(key=key, label=label, href=href, order=order, permission=permission)


def nav_items(permissions: Collection[str] | None = None) -> list[NavItem]:
    """The items, in order; given the viewer's ``permissions``, only those they may use."""
    shown = [
        item
        for item in _ITEMS.values()
        if permissions is None or item.permission is None or item.permission in permissions
    ]
    return sorted(shown, key=lambda item: (item.order, item.label))
