"""The condition language of opening and routing rules, and the facts it is evaluated on.

A rule holds a list of conditions that must all hold; several rules give "or". Conditions
name a fact (``score.nps``, ``sentiment``, ``topic``, ``trait.plan``...) and compare it, so a
team lead writes ``{"field": "score.nps", "op": "le", "value": 6}`` rather than code. Facts
are gathered once per interaction from the interaction, its enrichment and its customer.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.customers import Customer
from cxloop.interactions import Interaction
from cxloop.understanding import Enrichment

FIXED_FIELDS = frozenset(
    {
        "channel",
        "stage",
        "type",
        "direction",
        "assisted",
        "text",
        "language",
        "sentiment",
        "sentiment_score",
        "emotion",
        "topic",
        "intent",
        "urgency",
        "signal",
    }
)
PREFIXES = ("score.", "property.", "trait.")
_MISSING = object()


class Op(enum.StrEnum):
    eq = "eq"
    ne = "ne"
    lt = "lt"
    le = "le"
    gt = "gt"
    ge = "ge"
    in_ = "in"
    contains = "contains"
    exists = "exists"


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(
        max_length=200,
        examples=["score.nps"],
        description="channel, stage, type, direction, assisted, text, language, sentiment, "
        "sentiment_score, emotion, topic, intent, urgency, signal, score.<nps|csat|ces>, "
        "property.<name>, trait.<name>",
    )
    op: Op = Op.eq
    value: Any = None

    @field_validator("field")
    @classmethod
    def _known(cls, value: str) -> str:
        if value in FIXED_FIELDS or (value.startswith(PREFIXES) and "." in value[:-1]):
            return value
        raise ValueError(
            f"unknown field '{value}': use one of {', '.join(sorted(FIXED_FIELDS))}, "
            "or score.<name>, property.<name>, trait.<name>"
        )


def facts(
    interaction: Interaction, enrichment: Enrichment | None, customer: Customer | None
) -> dict[str, Any]:
    """What conditions can ask about one interaction. Topics are matched by name or path."""
    properties = interaction.properties or {}
    found: dict[str, Any] = {
        "channel": interaction.channel,
        "stage": interaction.stage,
        "type": interaction.type,
        "direction": interaction.direction,
        "assisted": interaction.assisted,
        "text": interaction.text,
        "property": properties,
        "score": properties.get("scores") or {},
        "trait": (customer.traits if customer is not None else None) or {},
    }
    if enrichment is not None:
        found |= {
            "language": enrichment.language,
            "sentiment": enrichment.sentiment,
            "sentiment_score": enrichment.sentiment_score,
            "emotion": enrichment.emotion,
            "intent": enrichment.intent,
            "urgency": enrichment.urgency,
            "signal": list(enrichment.signals or []),
            "topic": topic_names(enrichment.topics or []),
        }
    return found


def topic_names(topics: Iterable[Mapping[str, Any]]) -> list[str]:
    """Each topic by its name, its path and every parent on the path, so a condition on
    "Billing" holds for "Billing > Unexpected charge" too."""
    names: list[str] = []
    for topic in topics:
        if topic.get("name"):
            names.append(str(topic["name"]))
        parts = [part.strip() for part in str(topic.get("path") or "").split(">")]
        names.extend(" > ".join(parts[: i + 1]) for i in range(len(parts)) if parts[i])
    return list(dict.fromkeys(names))


def _lookup(found: Mapping[str, Any], name: str) -> Any:
    head, _, rest = name.partition(".")
    value = found.get(head, _MISSING)
    if rest:
        value = value.get(rest, _MISSING) if isinstance(value, Mapping) else _MISSING
    return value


def _compare(op: Op, actual: Any, expected: Any) -> bool:
    if op is Op.exists:
        return bool(expected) == (actual is not _MISSING and actual is not None)
    if actual is _MISSING or actual is None:
        return op is Op.ne
    if isinstance(actual, list):  # topics and signals: the condition holds for any of them
        if op is Op.ne:
            return expected not in actual
        return any(_compare(op, item, expected) for item in actual)
    try:
        match op:
            case Op.eq:
                return bool(actual == expected)
            case Op.ne:
                return bool(actual != expected)
            case Op.lt:
                return bool(actual < expected)
            case Op.le:
                return bool(actual <= expected)
            case Op.gt:
                return bool(actual > expected)
            case Op.ge:
                return bool(actual >= expected)
            case Op.in_:
                return isinstance(expected, list) and actual in expected
            case Op.contains:
                return str(expected).casefold() in str(actual).casefold()
    except TypeError:  # a number compared with text: the condition does not hold
        return False
    return False


def holds(conditions: Sequence[Mapping[str, Any]], found: Mapping[str, Any]) -> bool:
    """All conditions hold. Stored conditions were validated when the rule was saved."""
    return all(
        _compare(Op(c.get("op", "eq")), _lookup(found, c["field"]), c.get("value"))
        for c in conditions
    )


def parse_conditions(text: str) -> list[dict[str, Any]]:
    """Conditions written one per line as a team lead would say them, e.g.
    ``score.nps le 6``, ``channel in email, chat``, ``topic eq Billing``, ``signal exists``.
    Numbers and true/false are read as such; anything else is text. A ValueError names the
    line that cannot be read."""
    conditions: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.strip().split(maxsplit=2)
        if not words:
            continue
        if len(words) < 2 or words[1] not in set(Op):
            raise ValueError(
                f"line {number}: write 'field operator value', the operator one of "
                f"{', '.join(Op)} (e.g. 'score.nps le 6')"
            )
        field, op = words[0], Op(words[1])
        raw = words[2] if len(words) > 2 else ""
        value: Any
        if op is Op.in_:
            value = [_scalar(v.strip()) for v in raw.split(",") if v.strip()]
        elif op is Op.exists:
            value = raw.lower() not in ("false", "no", "0")
        else:
            value = _scalar(raw)
        try:
            conditions.append(Condition(field=field, op=op, value=value).model_dump(mode="json"))
        except ValueError as exc:
            raise ValueError(f"line {number}: {_first_error(exc)}") from None
    return conditions


def describe(condition: Mapping[str, Any]) -> str:
    """A stored condition written back the way :func:`parse_conditions` reads it."""
    value = condition.get("value")
    if condition.get("op") == Op.exists.value:
        return f"{condition['field']} exists" + ("" if value else " false")
    shown = ", ".join(map(str, value)) if isinstance(value, list) else value
    return (
        f"{condition['field']} {condition.get('op', 'eq')} {'' if shown is None else shown}".strip()
    )


def _scalar(raw: str) -> Any:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            continue
    return raw


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc)
