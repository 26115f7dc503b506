"""Plugin hook specifications: extension points that need no change to the core.

Built-in features implement these hooks too. A plugin is a module or object registered with
:func:`get_plugin_manager` or declared under the ``cxloop`` entry-point group.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("cxloop")
hookimpl = pluggy.HookimplMarker("cxloop")


class Specs:
    @hookspec
    def cxloop_customers_merged(self, session: Any, winner_id: int, loser_id: int) -> int:  # type: ignore[empty-body]
        """Move what this domain holds of ``loser_id`` to ``winner_id``, in the merge's
        transaction; return how many rows moved."""

    @hookspec
    def cxloop_erase_customer_data(  # type: ignore[empty-body]
        self, session: Any, customer_ids: list[int], mode: str
    ) -> dict[str, int]:
        """Erase the personal data this plugin holds about a person, known by ``customer_ids``
        (the customer and those merged into it). ``mode`` "anonymize" keeps the rows that
        aggregate metrics count, stripped of personal data; "delete" removes them. Returns
        rows affected, by kind."""

    @hookspec
    def cxloop_export_customer_data(  # type: ignore[empty-body]
        self, session: Any, customer_ids: list[int]
    ) -> dict[str, Any]:
        """Return everything this plugin holds about a person (``customer_ids`` as for
        erasure), keyed by kind, as JSON-able values."""

    @hookspec
    def cxloop_do_not_survey(  # type: ignore[empty-body]
        self, session: Any, customer_ids: list[int]
    ) -> dict[int, str]:
        """Customers among ``customer_ids`` who must not be invited to a survey now, with the
        reason (e.g. the cases domain: "has an open case"). Senders of surveys ask every
        plugin and honour every answer."""

    @hookspec
    def cxloop_retention_kinds(self) -> dict[str, str]:  # type: ignore[empty-body]
        """The kinds of data this plugin keeps under retention policies, with a description
        (e.g. ``{"raw_text": "the text of interactions"}``)."""

    @hookspec
    def cxloop_apply_retention(
        self, session: Any, kind: str, before: Any, action: str, dry_run: bool
    ) -> int | None:
        """Anonymize or delete this plugin's data of ``kind`` older than ``before`` (a UTC
        datetime); with ``dry_run``, only count. Return rows affected, or None for a kind this
        plugin does not own."""


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("cxloop")
    manager.add_hookspecs(Specs)
    manager.load_setuptools_entrypoints("cxloop")
    return manager


def register_builtin(plugin: object, name: str) -> None:
    """Domains register their own hook implementations, once, when their package loads."""
    manager = get_plugin_manager()
    if not manager.has_plugin(name):
        manager.register(plugin, name=name)
