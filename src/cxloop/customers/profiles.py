"""Create or update customer profiles from identities and traits (imports, CRM syncs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cxloop.customers.identity import IdentityKey
from cxloop.customers.resolution import Resolver
from cxloop.errors import CxloopError


@dataclass(slots=True)
class ProfileIn:
    identities: list[IdentityKey]
    traits: dict[str, Any] = field(default_factory=dict)
    source_id: int | None = None


@dataclass(slots=True)
class ProfileResult:
    customer_ids: list[int | None]
    errors: list[tuple[int, str]]


def upsert_profiles(
    session: Session, profiles: Sequence[ProfileIn], *, allow_weak_merge: bool = False
) -> ProfileResult:
    """Resolve each profile to its customer (creating or merging as identity rules say) and
    merge its traits in; a profile that cannot be resolved is reported by index, not raised."""
    resolver = Resolver(session, allow_weak_merge=allow_weak_merge)
    resolver.prefetch(k for p in profiles for k in p.identities)
    provisional: list[int | None] = []
    errors: list[tuple[int, str]] = []
    for index, profile in enumerate(profiles):
        try:
            provisional.append(
                resolver.resolve(
                    profile.identities, traits=profile.traits, source_id=profile.source_id
                )
            )
        except CxloopError as exc:
            provisional.append(None)
            errors.append((index, exc.detail))
    resolver.flush()
    ids = [None if c is None else resolver.customer_id(c) for c in provisional]
    return ProfileResult(customer_ids=ids, errors=errors)
