"""The main navigation, which every area of the product joins with one call.

Pages for surveys, cases, dashboards and text analytics register themselves here when their
module is imported, so the shared layout never needs editing to add a section.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str
    href: str
    order: int = 100


_ITEMS: dict[str, NavItem] = {}


def add_nav_item(key: str, label: str, href: str, *, order: int = 100) -> None:
    """Show ``label`` linking to ``href`` in the main navigation (re-adding replaces it)."""
    _ITEMS[key] = NavItem(key=key, label=label, href=href, order=order)


def nav_items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: (item.order, item.label))
