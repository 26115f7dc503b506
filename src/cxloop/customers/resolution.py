"""Identity resolution: which customer does a set of identities belong to?

The rules, deterministic and the same on every path in:

* Strong identities (user id, external id, email, phone, social handle) join customers: a
  message carrying identities of two customers merges them.
* A customer holds at most one user id. Customers with different user ids are never merged,
  whatever else they share (a family sharing an email stays two people).
* Weak identities (anonymous/device ids) never join two known people: a shared device keeps
  its history with the first person, unless ``allow_weak_merge`` says otherwise. They do
  carry an anonymous profile's history into the person who identifies on that device.
* The surviving customer of a merge is the oldest (smallest id), so the order in which
  merges happen does not change the result; the loser keeps a pointer to the winner.

A :class:`Resolver` serves one unit of work. It looks identities up in bulk, gives new
customers provisional (negative) ids, and writes new customers and identities in bulk at
:meth:`Resolver.flush`, which is what makes ingest fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from cxloop.customers.events import CustomersMerged
from cxloop.customers.identity import IdentityKey
from cxloop.customers.models import EXCLUSIVE_KINDS, WEAK_KINDS, Customer, Identity, Merge
from cxloop.errors import ValidationFailed
from cxloop.hooks import get_plugin_manager
from cxloop.store.bulk import insert_mappings, insert_returning_ids, is_sqlite, select_in
from cxloop.store.crud import rows_affected
from cxloop.store.uow import publish
from cxloop.types import utcnow

LOOKUP_CHUNK = 500
PROFILE_TRAITS = ("name", "email", "phone")
IDENTITIES_BY_VALUE = (
    "SELECT kind, namespace, value, customer_id FROM identities WHERE value IN ({})"
)


@dataclass
class _Profile:
    exclusive: set[str] = field(default_factory=set)
    has_strong: bool = False


def chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _priority(k: IdentityKey) -> tuple[int, str, str]:
    return (k.rank, k.namespace, k.value)


def _order(customer_id: int) -> tuple[bool, int]:
    """Existing customers (positive ids) are older than provisional ones; then by creation."""
    return (customer_id < 0, abs(customer_id))


class Resolver:
    def __init__(self, session: Session, *, allow_weak_merge: bool = False) -> None:
        self.session = session
        self.allow_weak_merge = allow_weak_merge
        self.known: dict[IdentityKey, int] = {}
        self._looked_up: set[IdentityKey] = set()
        self._parent: dict[int, int] = {}
        self._new: list[int] = []
        self._real: dict[int, int] = {}
        self._attached: dict[int, list[IdentityKey]] = defaultdict(list)
        self._profiles: dict[int, _Profile] = {}
        self._traits: dict[int, dict[str, Any]] = defaultdict(dict)
        self._source: dict[IdentityKey, int | None] = {}

    # -- lookups ---------------------------------------------------------------------------

    def prefetch(self, keys: Iterable[IdentityKey]) -> None:
        """Look up every key not yet seen in as few queries as possible."""
        wanted = {k for k in keys if k not in self._looked_up}
        if not wanted:
            return
        self._looked_up |= wanted
        values = sorted({k.value for k in wanted})
        for kind, namespace, value, customer_id in self._identity_rows(values):
            found = IdentityKey(kind=kind, value=value, namespace=namespace)
            if found in wanted:
                self.known[found] = customer_id

    def _identity_rows(self, values: list[str]) -> Iterable[Sequence[Any]]:
        if is_sqlite(self.session):
            return select_in(self.session, IDENTITIES_BY_VALUE, values, chunk=LOOKUP_CHUNK)
        table = Identity.__table__
        return (
            row
            for part in chunks(values)
            for row in self.session.execute(
                select(table.c.kind, table.c.namespace, table.c.value, table.c.customer_id)
                .where(table.c.value.in_(part))
                # An erasure locks the person's identities first: an event waits for it and
                # then finds nobody, instead of landing on the emptied profile (PostgreSQL;
                # SQLite writers already take turns).
                .with_for_update(read=True, key_share=True)
            )
        )

    def find(self, customer_id: int) -> int:
        """The customer that ``customer_id`` now is, after this unit of work's merges."""
        while customer_id in self._parent:
            customer_id = self._parent[customer_id]
        return customer_id

    def _profile(self, customer_id: int) -> _Profile:
        profile = self._profiles.get(customer_id)
        if profile is None:
            profile = _Profile()
            if customer_id > 0:
                rows = self.session.execute(
                    select(Identity.kind, Identity.value).where(Identity.customer_id == customer_id)
                )
                for kind, value in rows:
                    self._note(profile, kind, value)
            self._profiles[customer_id] = profile
        return profile

    @staticmethod
    def _note(profile: _Profile, kind: str, value: str) -> None:
        if kind not in WEAK_KINDS:
            profile.has_strong = True
        if kind in EXCLUSIVE_KINDS:
            profile.exclusive.add(value)

    def _conflicts(self, customer_id: int, exclusive: set[str]) -> bool:
        return len(self._profile(customer_id).exclusive | exclusive) > 1

    # -- resolution ------------------------------------------------------------------------

    def resolve(
        self,
        keys: Sequence[IdentityKey],
        *,
        traits: dict[str, Any] | None = None,
        source_id: int | None = None,
    ) -> int:
        """Return the (possibly provisional) customer id for ``keys``, attaching new keys."""
        ordered = list(keys) if len(keys) == 1 else sorted(set(keys), key=_priority)
        if not ordered:
            raise ValidationFailed("the message carries no identity (userId or anonymousId)")
        exclusive = {k.value for k in ordered if k.kind in EXCLUSIVE_KINDS}
        if len(exclusive) > 1:
            raise ValidationFailed("one message cannot carry two different user ids")
        if not self._looked_up.issuperset(ordered):
            self.prefetch(ordered)
        found = {k: self.find(self.known[k]) for k in ordered if k in self.known}

        if all(k.kind in WEAK_KINDS for k in ordered):
            target = self._resolve_anonymous(ordered, found)
        else:
            target = self._resolve_known(ordered, found, exclusive)
        for k in ordered:
            if k not in self.known:
                self._attach(k, target, source_id)
        if traits:
            self._traits[target].update(traits)
        return target

    def _resolve_anonymous(
        self, ordered: Sequence[IdentityKey], found: dict[IdentityKey, int]
    ) -> int:
        """Only device ids: the device's customer, whoever that is, or a new anonymous one."""
        for k in ordered:
            if k in found:
                return found[k]
        return self._provisional()

    def _resolve_known(
        self, ordered: Sequence[IdentityKey], found: dict[IdentityKey, int], exclusive: set[str]
    ) -> int:
        target: int | None = None
        weak_candidates: list[int] = []
        for k in ordered:
            customer_id = found.get(k)
            if customer_id is None or customer_id == target:
                continue
            if k.kind in WEAK_KINDS:
                weak_candidates.append(customer_id)
            elif target is None:
                # Found by the user id itself, the customer cannot hold another one.
                if k.kind in EXCLUSIVE_KINDS or not self._conflicts(customer_id, exclusive):
                    target = customer_id
            elif not self._conflicts(customer_id, exclusive | self._profile(target).exclusive):
                target = self._merge(target, customer_id, f"shared {k.kind}")
        for customer_id in weak_candidates:
            customer_id = self.find(customer_id)
            if customer_id == target or not self._may_join_weakly(customer_id, exclusive):
                continue
            if target is None:
                target = customer_id
            else:
                target = self._merge(target, customer_id, "anonymous profile identified")
        return self._provisional() if target is None else target

    def _may_join_weakly(self, customer_id: int, exclusive: set[str]) -> bool:
        profile = self._profile(customer_id)
        if not profile.has_strong:
            return True
        return self.allow_weak_merge and not self._conflicts(customer_id, exclusive)

    def _provisional(self) -> int:
        customer_id = -(len(self._new) + 1)
        self._new.append(customer_id)
        self._profiles[customer_id] = _Profile()
        return customer_id

    def _attach(self, k: IdentityKey, customer_id: int, source_id: int | None) -> None:
        self.known[k] = customer_id
        self._looked_up.add(k)
        self._attached[customer_id].append(k)
        self._source[k] = source_id
        self._note(self._profile(customer_id), k.kind, k.value)

    def _merge(self, a: int, b: int, reason: str) -> int:
        a, b = self.find(a), self.find(b)
        if a == b:
            return a
        winner, loser = sorted((a, b), key=_order)
        self._parent[loser] = winner
        won, lost = self._profile(winner), self._profile(loser)
        won.exclusive |= lost.exclusive
        won.has_strong = won.has_strong or lost.has_strong
        self._attached[winner].extend(self._attached.pop(loser, []))
        if loser in self._traits:
            lost_traits = self._traits.pop(loser)
            self._traits[winner] = {**lost_traits, **self._traits[winner]}
        if loser > 0:
            self._merge_stored(winner, loser, reason)
        return winner

    def _merge_stored(self, winner: int, loser: int, reason: str) -> None:
        """Move a stored customer's timeline and identities to ``winner`` and record it."""
        session = self.session
        moved = session.execute(
            update(Identity).where(Identity.customer_id == loser).values(customer_id=winner)
        )
        moved_identities = rows_affected(moved)
        moved_interactions = sum(
            get_plugin_manager().hook.cxloop_customers_merged(
                session=session, winner_id=winner, loser_id=loser
            )
        )
        session.execute(
            update(Customer).where(Customer.merged_into_id == loser).values(merged_into_id=winner)
        )
        lost = session.get(Customer, loser)
        if lost is not None:
            lost.merged_into_id = winner
            if winner > 0:
                won = session.get(Customer, winner)
                if won is not None:
                    won.traits = {**lost.traits, **won.traits}
                    for attr in PROFILE_TRAITS:
                        if getattr(won, attr) is None:
                            setattr(won, attr, getattr(lost, attr))
        session.add(
            Merge(
                winner_id=winner,
                loser_id=loser,
                reason=reason,
                identities_moved=moved_identities or 0,
                interactions_moved=moved_interactions,
            )
        )
        session.flush()
        publish(session, CustomersMerged(winner_id=winner, loser_id=loser, reason=reason))

    # -- writing ---------------------------------------------------------------------------

    def customer_id(self, provisional_or_real: int) -> int:
        """The stored id of a customer this resolver returned (valid after :meth:`flush`)."""
        customer_id = self.find(provisional_or_real)
        return self._real.get(customer_id, customer_id)

    def flush(self) -> None:
        """Write new customers, new identities and trait updates; keep the resolver usable."""
        now = utcnow()
        live_new = [c for c in self._new if c not in self._parent and c not in self._real]
        if live_new:
            rows = [_profile_columns(self._traits.pop(c, {}), self._attached[c]) for c in live_new]
            for row in rows:
                row.update(created_at=now, updated_at=now)
            ids = self._insert_customers(rows)
            self._real.update(zip(live_new, ids, strict=True))
            for provisional, real in zip(live_new, ids, strict=True):
                self._profiles[real] = self._profiles.pop(provisional)
        self._write_traits(now)
        identity_rows = [
            {
                "customer_id": self.customer_id(customer_id),
                "kind": k.kind,
                "namespace": k.namespace,
                "value": k.value,
                "source_id": self._source.get(k),
                "created_at": now,
            }
            for customer_id, keys in self._attached.items()
            for k in keys
        ]
        if identity_rows and is_sqlite(self.session):
            table = Identity.__table__
            assert isinstance(table, Table)
            insert_mappings(self.session, table, identity_rows)
        elif identity_rows:
            self.session.execute(insert(Identity), identity_rows)
        for k, customer_id in self.known.items():
            self.known[k] = self.customer_id(customer_id)
        self._attached.clear()
        self._new = [c for c in self._new if c not in self._real]

    def _insert_customers(self, rows: list[dict[str, Any]]) -> Sequence[int]:
        if is_sqlite(self.session):
            table = Customer.__table__
            assert isinstance(table, Table)
            return insert_returning_ids(self.session, table, rows)
        return self.session.scalars(
            insert(Customer).returning(Customer.id, sort_by_parameter_order=True), rows
        ).all()

    def _write_traits(self, now: Any) -> None:
        pending = {self.customer_id(c): t for c, t in self._traits.items() if t}
        self._traits.clear()
        if not pending:
            return
        ids = sorted(pending)
        for part in chunks(ids):
            for customer in self.session.scalars(select(Customer).where(Customer.id.in_(part))):
                traits = {**customer.traits, **pending[customer.id]}
                customer.traits = traits
                for attr, value in _profile_columns(traits, []).items():
                    if attr != "traits" and value is not None:
                        setattr(customer, attr, value)
                customer.updated_at = now
        self.session.flush()


def _profile_columns(traits: dict[str, Any], keys: Sequence[IdentityKey]) -> dict[str, Any]:
    """Name, email and phone shown on the profile: from traits, else from identities."""
    name = traits.get("name")
    if not name and (traits.get("first_name") or traits.get("last_name")):
        name = " ".join(str(p) for p in (traits.get("first_name"), traits.get("last_name")) if p)
    by_kind = {k.kind: k.value for k in reversed(keys)}
    email = traits.get("email") or by_kind.get("email")
    phone = traits.get("phone") or by_kind.get("phone")
    return {
        "traits": dict(traits),
        "name": str(name)[:300] if name else None,
        "email": str(email)[:320] if email else None,
        "phone": str(phone)[:32] if phone else None,
    }
