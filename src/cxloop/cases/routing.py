"""Where a case goes: the first matching routing rule; failing that, the learned router when
it is confident enough; failing that, triage. Every answer says how it was reached, so an
agent can see why a case landed in their queue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cxloop.cases.conditions import holds
from cxloop.cases.directory import Directory
from cxloop.cases.models import TRIAGE


class Router(Protocol):
    """A model that names a department (by slug) for a text, with a confidence in [0, 1]."""

    version: str

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]: ...


@dataclass(frozen=True, slots=True)
class Route:
    department_id: int | None
    queue: str
    priority: str | None = None
    how: dict[str, Any] = field(default_factory=dict)


def by_rules(directory: Directory, found: Mapping[str, Any]) -> Route | None:
    for rule in directory.routing_rules:
        if holds(rule.conditions, found):
            return Route(
                department_id=rule.department_id,
                queue=rule.queue,
                priority=rule.priority,
                how={"by": "rule", "rule_id": rule.id, "rule": rule.name},
            )
    return None


def route_many(
    directory: Directory,
    items: Sequence[tuple[Mapping[str, Any], str | None]],
    *,
    router: Router | None = None,
    threshold: float = 0.6,
) -> list[Route]:
    """Routes for ``(facts, text)`` pairs; the model runs once for all the rules left over."""
    routes: list[Route | None] = [by_rules(directory, found) for found, _ in items]
    leftover = [i for i, r in enumerate(routes) if r is None and items[i][1]]
    if router is not None and leftover:
        predictions = router.predict([items[i][1] or "" for i in leftover])
        for i, (label, confidence) in zip(leftover, predictions, strict=True):
            department = directory.department_by_slug(label)
            how = {
                "by": "model",
                "model": router.version,
                "label": label,
                "confidence": round(confidence, 4),
            }
            if department is not None and confidence >= threshold:
                routes[i] = Route(department_id=department.id, queue="", how=how)
            else:
                routes[i] = Route(
                    None, TRIAGE, how={**how, "by": "triage", "reason": "model not confident"}
                )
    return [
        r
        if r is not None
        else Route(None, TRIAGE, how={"by": "triage", "reason": "no rule matched"})
        for r in routes
    ]
