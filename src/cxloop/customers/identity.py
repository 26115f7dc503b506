"""Identity keys and their normalisation: the same person must produce the same key everywhere."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import phonenumbers

from cxloop.customers.models import IdentityKind
from cxloop.errors import ValidationFailed

PRIORITY = {kind.value: rank for rank, kind in enumerate(IdentityKind)}
# Plain strings: comparing against enum members costs a descriptor call each time.
EMAIL, PHONE, SOCIAL, EXTERNAL = "email", "phone", "social", "external"


class IdentityKey(NamedTuple):
    """``namespace`` qualifies external ids (the system) and social handles (the network).

    A named tuple rather than a dataclass: keys are hashed millions of times during ingest,
    and a tuple hashes in C.
    """

    kind: str
    value: str
    namespace: str = ""

    @property
    def rank(self) -> int:
        return PRIORITY[self.kind]


def normalize_email(raw: str) -> str:
    value = raw.strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or " " in value:
        raise ValidationFailed(f"'{raw}' is not an email address", field="email")
    return value


@lru_cache(maxsize=65536)
def normalize_phone(raw: str, region: str | None = None) -> str:
    """E.164 (``+14155550100``). Numbers without a country code need ``region`` (e.g. ``GB``)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        hint = "" if region or raw.strip().startswith("+") else " (add the +country code)"
        raise ValidationFailed(f"'{raw}' is not a phone number{hint}", field="phone") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationFailed(f"'{raw}' is not a possible phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def key(
    kind: IdentityKind | str, raw: str, namespace: str = "", *, region: str | None = None
) -> IdentityKey:
    """Build a normalised identity key; raises :class:`ValidationFailed` on a bad value."""
    if kind not in PRIORITY:
        known = ", ".join(PRIORITY)
        raise ValidationFailed(f"unknown identity kind '{kind}' (known: {known})", field="kind")
    kind = str(kind)
    value = raw.strip() if isinstance(raw, str) else str(raw).strip()
    if not value:
        raise ValidationFailed(f"{kind} is empty", field=kind)
    if len(value) > 500:
        raise ValidationFailed(f"{kind} is longer than 500 characters", field=kind)
    if kind == EMAIL:
        value = normalize_email(value)
    elif kind == PHONE:
        value = normalize_phone(value, region)
    elif kind == SOCIAL:
        value = value.lower().lstrip("@")
        namespace = namespace.strip().lower()
    elif kind == EXTERNAL:
        namespace = namespace.strip().lower()
        if not namespace:
            raise ValidationFailed(
                "an external id needs the system it comes from", field="external"
            )
    return IdentityKey(kind, value, namespace)
