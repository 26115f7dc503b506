"""Import customer profiles from a file: identities from named columns, everything else traits.

A CRM or billing export is the usual source, so the defaults follow what such files hold
(``user_id``, ``email``, ``phone``, an external id with its system...) and any other column
becomes a trait without configuration. Rows go through :func:`upsert_profiles`, the same
identity rules as live ingest, so importing a file twice updates rather than duplicates.
The identity helpers are shared with the interactions import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cxloop.customers.identity import IdentityKey, key
from cxloop.customers.models import IdentityKind
from cxloop.customers.profiles import ProfileIn, upsert_profiles
from cxloop.errors import ValidationFailed
from cxloop.store.tabular import (
    ErrorFile,
    FieldError,
    ImportSummary,
    Mapping,
    Refusals,
    Row,
    json_object,
    run_batches,
    scalar_text,
)

SIMPLE_IDENTITIES = {
    "user_id": IdentityKind.user_id,
    "email": IdentityKind.email,
    "phone": IdentityKind.phone,
    "anonymous_id": IdentityKind.anonymous_id,
}
# An identity whose value needs a namespace column: (value target, namespace target).
NAMESPACED_IDENTITIES = {
    IdentityKind.external: ("external_id", "external_system"),
    IdentityKind.social: ("social", "social_network"),
}
IDENTITY_TARGETS = frozenset(
    {*SIMPLE_IDENTITIES, "identities"}.union(*NAMESPACED_IDENTITIES.values())
)
CUSTOMER_TARGETS = IDENTITY_TARGETS | {"name", "traits"}
# Columns of our own export that describe the stored row, not the person.
NOT_TRAITS = frozenset({"customer_id", "created_at", "updated_at"})


def _key(
    kind: IdentityKind, raw: Any, target: str, namespace: str = "", *, region: str | None
) -> IdentityKey:
    try:
        return key(kind, scalar_text(raw), namespace, region=region)
    except ValidationFailed as exc:
        raise FieldError(target, exc.detail) from exc


def _listed_identities(value: Any, region: str | None) -> list[IdentityKey]:
    """The ``identities`` column of our own customer export: ``[{kind, value, namespace}]``."""
    if value is None:
        return []
    items = orjson.loads(value) if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FieldError("identities", "must be a JSON list of {kind, value, namespace}")
    keys = []
    for item in items:
        kind = str(item.get("kind", ""))
        if kind not in IdentityKind.__members__:
            raise FieldError("identities", f"unknown identity kind '{kind}'")
        keys.append(
            _key(
                IdentityKind(kind),
                item.get("value", ""),
                "identities",
                str(item.get("namespace") or ""),
                region=region,
            )
        )
    return keys


def identities_from_row(
    values: dict[str, Any], mapping: Mapping, *, region: str | None = None
) -> list[IdentityKey]:
    """Every identity a row carries; a malformed one names its column's target."""
    keys = [
        _key(kind, raw, target, region=region)
        for target, kind in SIMPLE_IDENTITIES.items()
        if (raw := mapping.get(values, target)) is not None
    ]
    for kind, (target, namespace_target) in NAMESPACED_IDENTITIES.items():
        raw = mapping.get(values, target)
        if raw is None:
            continue
        namespace = mapping.get(values, namespace_target)
        if namespace is None:
            raise FieldError(
                namespace_target,
                f"a {target} needs its {namespace_target} "
                f"(add the column or --default {namespace_target}=...)",
            )
        keys.append(_key(kind, raw, target, scalar_text(namespace), region=region))
    try:
        keys += _listed_identities(mapping.get(values, "identities"), region)
    except orjson.JSONDecodeError as exc:
        raise FieldError("identities", f"is not valid JSON ({exc.msg})") from exc
    return keys


def customer_mapping(
    columns: dict[str, str] | None = None, defaults: dict[str, str] | None = None
) -> Mapping:
    return Mapping(CUSTOMER_TARGETS, columns or {}, defaults or {})


def profile_from_row(
    values: dict[str, Any], mapping: Mapping, *, region: str | None = None
) -> ProfileIn:
    identities = identities_from_row(values, mapping, region=region)
    if not identities:
        raise FieldError(
            "identities",
            "the row carries no identity (fill user_id, email, phone, anonymous_id, "
            "external_id or social)",
        )
    reserved = mapping.mapped_columns() | NOT_TRAITS
    traits = {
        k: v
        for k, v in values.items()
        if v is not None and k not in reserved and not k.startswith("traits.")
    }
    traits.update(json_object(mapping.get(values, "traits"), "traits"))
    traits.update(mapping.prefixed(values, "traits"))
    if (name := mapping.get(values, "name")) is not None:
        traits["name"] = scalar_text(name)
    return ProfileIn(identities=identities, traits=traits)


def _store_profiles(session: Session, profiles: list[ProfileIn]) -> tuple[int, int, Refusals]:
    result = upsert_profiles(session, profiles)
    refused: Refusals = [(index, "identities", reason) for index, reason in result.errors]
    return len(profiles) - len(refused), 0, refused


def import_customers(
    bind: Engine | Connection,
    rows: Iterable[Row],
    *,
    mapping: Mapping,
    errors: ErrorFile,
    batch_size: int = 2_000,
    progress: Callable[[int], None] | None = None,
    phone_region: str | None = None,
) -> ImportSummary:
    """Create or update one customer per row; ``stored`` counts profiles written."""
    return run_batches(
        bind,
        rows,
        convert=lambda values: profile_from_row(values, mapping, region=phone_region),
        store=_store_profiles,
        errors=errors,
        batch_size=batch_size,
        progress=progress,
    )
