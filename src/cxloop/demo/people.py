"""The demo's customers: Brightwave, a telecom selling mobile, fibre and bundles in 5 countries.

Profiles carry the traits a CX team filters on (plan, region, tenure, monthly value,
language) and the identities real systems hold (app user ids, emails, E.164 phones, device
ids, a few social handles, CRM ids). They are stored through :func:`upsert_profiles`, the
same path a CRM import takes.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import timedelta

from cxloop.customers import IdentityKey, ProfileIn, key, upsert_profiles
from cxloop.demo.context import DemoContext, Person
from cxloop.store.uow import unit_of_work

# country: (language, share, phone prefix and national digits, regions, first names, last names)
COUNTRIES: dict[str, tuple[str, float, str, int, list[str], list[str], list[str]]] = {
    "GB": (
        "en",
        0.5,
        "+447",
        9,
        ["London", "North West", "Yorkshire", "Scotland", "Wales", "South West"],
        [
            "Oliver",
            "Amelia",
            "Harry",
            "Isla",
            "Jack",
            "Ava",
            "Noah",
            "Mia",
            "Leo",
            "Grace",
            "Aisha",
            "Mohammed",
            "Chloe",
            "Ethan",
            "Priya",
        ],
        [
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Patel",
            "Khan",
            "Evans",
            "Walker",
            "Wright",
            "Hughes",
        ],
    ),
    "IE": (
        "en",
        0.1,
        "+35387",
        7,
        ["Dublin", "Cork", "Galway"],
        ["Sean", "Aoife", "Ciara", "Conor", "Niamh", "Cian"],
        ["Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan"],
    ),
    "ES": (
        "es",
        0.15,
        "+346",
        8,
        ["Madrid", "Cataluña", "Andalucía", "Valencia"],
        ["Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Javier", "Carmen", "José"],
        ["García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez"],
    ),
    "DE": (
        "de",
        0.15,
        "+49151",
        8,
        ["Berlin", "Bayern", "Hamburg", "NRW"],
        ["Lukas", "Hannah", "Felix", "Lea", "Jonas", "Mia", "Paul", "Emma"],
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker"],
    ),
    "FR": (
        "fr",
        0.1,
        "+336",
        8,
        ["Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie"],
        ["Léa", "Louis", "Chloé", "Gabriel", "Manon", "Jules", "Camille"],
        ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit"],
    ),
}
PLANS = {  # plan: (monthly price, share)
    "Mobile Basic": (15.0, 0.2),
    "Mobile Plus": (28.0, 0.2),
    "Mobile Unlimited": (42.0, 0.15),
    "Fibre 300": (35.0, 0.2),
    "Fibre 1G": (55.0, 0.1),
    "Home Bundle": (79.0, 0.15),
}
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
SOCIAL_NETWORKS = ("x", "instagram", "facebook")
PROFILE_BATCH = 1_000


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def make_person(ctx: DemoContext, index: int) -> Person:
    rng = ctx.rng
    country = rng.choices(list(COUNTRIES), weights=[c[1] for c in COUNTRIES.values()])[0]
    language, _share, prefix, digits, regions, firsts, lasts = COUNTRIES[country]
    first, last = rng.choice(firsts), rng.choice(lasts)
    plan = rng.choices(list(PLANS), weights=[p[1] for p in PLANS.values()])[0]
    window = (ctx.end - ctx.start).days
    # Two customers in three were already with Brightwave when the window opens.
    joined_days = rng.randint(-6 * 365, -1) if rng.random() < 0.66 else rng.randint(0, window - 30)
    joined = ctx.start + timedelta(days=joined_days, minutes=rng.randint(8 * 60, 21 * 60))
    tone = rng.choices(("positive", "neutral", "negative"), weights=(0.45, 0.35, 0.2))[0]
    churn_odds = {"positive": 0.03, "neutral": 0.08, "negative": 0.3}[tone]
    churn_at = None
    if rng.random() < churn_odds:
        earliest = max(joined, ctx.start) + timedelta(days=60)
        if earliest < ctx.end - timedelta(days=5):
            churn_at = earliest + (ctx.end - earliest) * rng.uniform(0.1, 0.95)
    handle = _ascii(first) + rng.choice(["", "_", "."]) + _ascii(last)
    return Person(
        index=index,
        first_name=first,
        last_name=last,
        country=country,
        language=language if rng.random() < 0.9 else "en",
        region=rng.choice(regions),
        plan=plan,
        monthly_value=round(PLANS[plan][0] * rng.uniform(0.85, 1.3), 2),
        joined_at=joined,
        tone=tone,
        user_id=f"bw-{ctx.seed}-{index:06d}",
        email=f"{handle}{index}@{rng.choice(EMAIL_DOMAINS)}",
        phone=f"{prefix}{index + 10 ** (digits - 1) * 7:0{digits}d}"[: len(prefix) + digits],
        crm_id=f"CRM-{ctx.seed}-{index:06d}",
        devices=[
            str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(rng.randint(1, 3))
        ],
        social=(rng.choice(SOCIAL_NETWORKS), f"{handle}{index}") if rng.random() < 0.25 else None,
        churn_at=churn_at,
    )


def make_story_person(ctx: DemoContext) -> Person:
    """Person 0 is the guided tour: joined in the window, on a bundle, vocal on social."""
    person = make_person(ctx, 0)
    person.first_name, person.last_name, person.country, person.language = (
        "Maria",
        "Ellis",
        "GB",
        "en",
    )
    person.region, person.plan, person.tone, person.churn_at = (
        "London",
        "Home Bundle",
        "negative",
        None,
    )
    person.joined_at = ctx.start + timedelta(days=60, hours=10)
    person.email = f"maria.ellis{ctx.seed}@example.com"
    person.social = ("x", f"mariaellis{ctx.seed}")
    return person


def strong_identities(person: Person) -> list[IdentityKey]:
    keys = [
        key("user_id", person.user_id),
        key("email", person.email),
        key("phone", person.phone),
        key("external", person.crm_id, "crm"),
    ]
    if person.social is not None:
        keys.append(key("social", person.social[1], person.social[0]))
    return keys


def traits(ctx: DemoContext, person: Person) -> dict[str, object]:
    tenure_end = person.churn_at or ctx.end
    return {
        "name": person.name,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "plan": person.plan,
        "country": person.country,
        "region": person.region,
        "language": person.language,
        "monthly_value": person.monthly_value,
        "tenure_months": max((tenure_end - person.joined_at).days // 30, 0),
        "customer_since": person.joined_at.date().isoformat(),
        "status": "churned" if person.churn_at else "active",
        "marketing_opt_in": person.index % 3 != 0,
    }


def customers_step(ctx: DemoContext) -> None:
    """Invent ``ctx.customers`` people and store their profiles in batches."""
    ctx.people = [make_story_person(ctx)] + [make_person(ctx, i) for i in range(1, ctx.customers)]
    for start in range(0, len(ctx.people), PROFILE_BATCH):
        batch = ctx.people[start : start + PROFILE_BATCH]
        profiles = [
            ProfileIn(identities=strong_identities(p), traits=traits(ctx, p)) for p in batch
        ]
        with unit_of_work(ctx.bind) as session:
            result = upsert_profiles(session, profiles)
        for person, customer_id in zip(batch, result.customer_ids, strict=True):
            person.customer_id = customer_id
    ctx.counts["customers"] += len(ctx.people)
