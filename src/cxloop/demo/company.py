"""Brightwave's organisation: departments with their agents, the sources data comes from, and
the people who sign in (an admin, analysts, one agent per department)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, Role, User, ensure_department, secrets
from cxloop.demo.context import ADMIN_EMAIL, DEMO_DOMAIN, DemoContext
from cxloop.interactions import Source, create_source
from cxloop.store.uow import unit_of_work

DEPARTMENTS = {
    "billing": ["Sam Okafor", "Hannah Reid", "Tom Price", "Marta Ruiz"],
    "technical-support": ["Priya Nair", "Lukas Braun", "Chen Wei", "Olivia Grant", "Yusuf Demir"],
    "sales": ["Jack Turner", "Sofia Romano", "Ben Carter"],
    "retention": ["Aisha Bello", "Daniel Moreau", "Grace Kim"],
    "stores": ["Ravi Shah", "Emily Clarke", "Pablo Ortega", "Nina Vogel"],
    "delivery": ["Mike Doyle", "Ines Costa", "Ahmed Saleh"],
}
# name, kind, channels it feeds
SOURCES = (
    ("Website (Segment)", "segment", ("web",)),
    ("Brightwave app", "segment", ("app",)),
    ("Contact centre", "webhook", ("phone", "chat", "email", "sms")),
    ("Social listening", "webhook", ("social", "review")),
    ("Stores and field service", "api", ("store", "field")),
    ("Surveys", "api", ("survey",)),
)
ANALYSTS = ("Maya Lindqvist", "Omar Haddad")


def email_for(name: str) -> str:
    return name.lower().replace(" ", ".") + "@" + DEMO_DOMAIN


def company_step(ctx: DemoContext) -> None:
    """Departments, agents and sources (re-used when they already exist)."""
    ctx.agents = {slug: list(agents) for slug, agents in DEPARTMENTS.items()}
    with unit_of_work(ctx.bind) as session:
        for slug in DEPARTMENTS:
            ensure_department(session, slug=slug)
        existing = {name: id_ for name, id_ in session.execute(select(Source.name, Source.id))}
        for name, kind, channels in SOURCES:
            source_id = existing.get(name)
            if source_id is None:
                source_id = create_source(session, name=name, kind=kind)[0].id
            ctx.sources.update(dict.fromkeys(channels, source_id))
    ctx.counts["departments"] = len(DEPARTMENTS)
    ctx.counts["sources"] = len(SOURCES)


def users_step(ctx: DemoContext) -> None:
    """The admin who signs in, two analysts and the first agent of every department.

    They all share the demo password, so its (deliberately slow) argon2 hash is computed once
    rather than per user. Runs last: its admin is the mark that the demo is fully loaded.
    """
    password_hash = secrets.hash_password(ctx.password)
    people: list[tuple[str, str, Role, str | None]] = [
        (ADMIN_EMAIL, "Demo Admin", Role.admin, None)
    ]
    people += [(email_for(name), name, Role.analyst, None) for name in ANALYSTS]
    people += [
        (email_for(agents[0]), agents[0], Role.agent, slug) for slug, agents in DEPARTMENTS.items()
    ]
    with unit_of_work(ctx.bind) as session:
        existing = set(session.scalars(select(User.email)))
        for email, name, role, slug in people:
            if email in existing:  # an earlier step gave this agent an account already
                continue
            departments: list[Department] = [ensure_department(session, slug=slug)] if slug else []
            session.add(
                User(
                    email=email,
                    name=name,
                    password_hash=password_hash,
                    role=role.value,
                    departments=departments,
                )
            )
    ctx.counts["users"] = len(people)


def ensure_admin_password(session: Session, password: str) -> bool:
    """Make ``password`` the demo admin's (a new data directory forgot the old one).

    Returns False when there is no demo admin, i.e. the demo is not loaded."""
    admin = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        return False
    if not secrets.verify_password(admin.password_hash, password):
        admin.password_hash = secrets.hash_password(password)
        session.flush()
    return True
