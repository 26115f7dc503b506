"""Events the understanding domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.bus import Event


@dataclass(frozen=True, kw_only=True)
class InteractionsEnriched(Event):
    """Interactions were understood for the first time (a re-enrichment by newer models is
    not news: what acted on the first one, such as case rules, has already acted)."""

    interaction_ids: tuple[int, ...]
