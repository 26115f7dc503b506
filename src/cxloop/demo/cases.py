"""Demo step: Brightwave closes the loop. Business calendars, SLA policies, opening and
routing rules as a team lead would set them; cases opened by those rules from the last weeks
of detractors, churn threats and angry messages; and agents who worked them, some on time,
some late, some still waiting, so every queue, status and SLA outcome has examples.

Cases are opened day by day, as the job would have opened them, then worked with the
timestamps of the day they were worked; the SLA timer runs last, at the demo's "now".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User, ensure_department, secrets
from cxloop.cases import (
    AgentProfile,
    BusinessCalendar,
    Case,
    CaseRule,
    CaseStatus,
    DepartmentSetup,
    Directory,
    ReplyTemplate,
    RoutingRule,
    SlaPolicy,
    check_deadlines,
    evaluate,
    reply,
    set_status,
)
from cxloop.cases.problems import create_problem, mark_fixed, suggest
from cxloop.demo.company import DEPARTMENTS, email_for
from cxloop.demo.context import ADMIN_EMAIL, DemoContext
from cxloop.interactions import Interaction
from cxloop.store.uow import unit_of_work

WINDOW_DAYS = 120
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
LANGUAGES = {"billing": ["en", "fr"], "technical-support": ["en", "de", "es"]}
SKILLS = {"technical-support": ["Outage", "Slow speed"], "billing": ["Refund"]}
OPENING_RULES = [
    (
        "Churn threat",
        [{"field": "signal", "op": "eq", "value": "churn_threat"}],
        "urgent",
        ["churn-risk"],
    ),
    ("Legal or safety", [{"field": "urgency", "op": "eq", "value": "high"}], "urgent", []),
    ("Detractor", [{"field": "property.nps", "op": "le", "value": 6}], "high", ["detractor"]),
    (
        "Bad review",
        [
            {"field": "channel", "op": "eq", "value": "review"},
            {"field": "sentiment", "op": "eq", "value": "negative"},
        ],
        "high",
        ["review"],
    ),
    (
        "Angry customer",
        [
            {"field": "emotion", "op": "eq", "value": "anger"},
            {"field": "channel", "op": "in", "value": ["email", "chat", "social"]},
        ],
        "normal",
        [],
    ),
]
ROUTING_RULES = [
    ("Leaving us", [{"field": "signal", "op": "eq", "value": "churn_threat"}], "retention"),
    ("Billing topics", [{"field": "topic", "op": "eq", "value": "Billing"}], "billing"),
    ("Network topics", [{"field": "topic", "op": "eq", "value": "Network"}], "technical-support"),
    ("Orders", [{"field": "topic", "op": "eq", "value": "Orders and delivery"}], "delivery"),
    ("In store", [{"field": "channel", "op": "eq", "value": "store"}], "stores"),
    (
        "Service complaints",
        [{"field": "topic", "op": "eq", "value": "Customer service"}],
        "technical-support",
    ),
    (
        "Contact centre, anything else",
        [{"field": "channel", "op": "in", "value": ["email", "chat", "phone", "sms", "social"]}],
        "technical-support",
    ),
]
TEMPLATES = [
    (
        "sorry",
        "en",
        "Apology",
        "Hello $customer_name,\n\nI am sorry about this. I have looked "
        "into it and $agent_name will keep you posted.\n\nBrightwave",
    ),
    (
        "sorry",
        "fr",
        "Excuses",
        "Bonjour $customer_name,\n\nJe suis désolé pour ce problème. "
        "Je m'en occupe et $agent_name vous tiendra informé.\n\nBrightwave",
    ),
]
# What happened to a case, by how it ends: (share, first answer after hours, final status)
OUTCOMES = [
    (0.4, 1.0, CaseStatus.closed),
    (0.18, 3.0, CaseStatus.solved),
    (0.1, 2.0, CaseStatus.waiting),
    (0.08, 1.5, CaseStatus.open),
    (0.06, 2.0, CaseStatus.reopened),  # solved, then the customer said it was not
    (0.06, 30.0, CaseStatus.solved),  # answered late: a missed first-response target
    (0.12, None, None),  # not touched yet
]


def cases_step(ctx: DemoContext) -> None:
    with unit_of_work(ctx.bind) as session:
        _set_up(session, ctx)
    with unit_of_work(ctx.bind, write=False) as session:
        days = _days_with_candidates(session, ctx)
    for day, ids in days:
        with unit_of_work(ctx.bind) as session:
            desk = Directory(session, "Europe/London")
            opened = evaluate(session, desk, ids, now=day)
            ctx.counts["cases"] += len(opened.cases)
    with unit_of_work(ctx.bind) as session:
        _work(session, ctx)
        check_deadlines(Directory(session, "Europe/London"), ctx.end)
        _problem(session)


def _set_up(session: Session, ctx: DemoContext) -> None:
    password_hash = secrets.hash_password(ctx.password)
    for slug, names in DEPARTMENTS.items():
        department = ensure_department(session, slug=slug)
        agents = []
        for name in names:
            user = User(
                email=email_for(name),
                name=name,
                password_hash=password_hash,
                role="agent",
                departments=[department],
            )
            session.add(user)
            agents.append(user)
        session.flush()
        spoken, skills = LANGUAGES.get(slug, ["en"]), SKILLS.get(slug, [])
        for i, user in enumerate(agents):
            session.add(
                AgentProfile(
                    user_id=user.id,
                    languages=sorted({spoken[i % len(spoken)], "en"}),
                    skills=skills if i % 2 == 0 else [],
                )
            )
        session.add(
            DepartmentSetup(
                department_id=department.id,
                lead_id=agents[-1].id,
                assignment="least_open" if slug == "technical-support" else "round_robin",
            )
        )
        hours = (
            {d: [["08:00", "20:00"]] for d in (*WEEKDAYS, "sat")}
            if slug == "technical-support"
            else {d: [["09:00", "17:30"]] for d in WEEKDAYS}
        )
        session.add(
            BusinessCalendar(
                department_id=department.id,
                timezone="Europe/London",
                hours=hours,
                holiday_country="GB",
                holiday_subdivision="ENG",
            )
        )
    session.add(
        BusinessCalendar(
            department_id=None,
            timezone="Europe/London",
            hours={d: [["09:00", "17:30"]] for d in WEEKDAYS},
            holiday_country="GB",
            holiday_subdivision="ENG",
        )
    )
    retention = ensure_department(session, slug="retention")
    session.add_all(
        [
            SlaPolicy(
                name="Everyone", first_response_minutes=8 * 60, resolution_minutes=3 * 8 * 60
            ),
            SlaPolicy(
                name="Urgent",
                priority="urgent",
                first_response_minutes=60,
                resolution_minutes=8 * 60,
                warn_before_minutes=15,
            ),
            SlaPolicy(
                name="High",
                priority="high",
                first_response_minutes=4 * 60,
                resolution_minutes=2 * 8 * 60,
            ),
            SlaPolicy(
                name="Retention",
                department_id=retention.id,
                first_response_minutes=120,
                resolution_minutes=8 * 60,
                escalate_priority="urgent",
            ),
        ]
    )
    for position, (name, conditions, priority, tags) in enumerate(OPENING_RULES):
        session.add(
            CaseRule(
                name=name, position=position, conditions=conditions, priority=priority, tags=tags
            )
        )
    for position, (name, conditions, slug) in enumerate(ROUTING_RULES):
        target = ensure_department(session, slug=slug)
        session.add(
            RoutingRule(
                name=name, position=position, conditions=conditions, department_id=target.id
            )
        )
    for key, language, name, body in TEMPLATES:
        session.add(ReplyTemplate(key=key, language=language, name=name, body=body))
    session.flush()


def _days_with_candidates(session: Session, ctx: DemoContext) -> list[tuple[datetime, list[int]]]:
    """Inbound interactions of the last weeks, grouped by the hour after they arrived (when
    the job would have opened their cases)."""
    since = ctx.end - timedelta(days=WINDOW_DAYS)
    rows = session.execute(
        select(Interaction.id, Interaction.occurred_at)
        .where(Interaction.occurred_at >= since, Interaction.direction == "in")
        .order_by(Interaction.occurred_at, Interaction.id)
    )
    days: dict[datetime, list[int]] = {}
    for interaction_id, occurred in rows:
        hour = occurred.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        days.setdefault(min(hour, ctx.end), []).append(interaction_id)
    return sorted(days.items())


def _outcome(roll: float) -> tuple[float | None, CaseStatus | None]:
    for share, after_hours, final in OUTCOMES:
        roll -= share
        if roll <= 0:
            return after_hours, final
    return None, None


def _work(session: Session, ctx: DemoContext) -> None:
    """Agents answer and solve, as the outcomes say; the youngest cases are still new."""
    desk = Directory(session, "Europe/London")
    users = {u.id: u for u in session.scalars(select(User))}
    admin = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    cases = list(session.scalars(select(Case).order_by(Case.id)))
    for case in cases:
        after_hours, final = _outcome(ctx.rng.random())
        if after_hours is None or final is None:
            continue
        calendar = desk.calendar(case.department_id)
        answered = calendar.add(case.created_at, after_hours * 60 * (0.5 + ctx.rng.random()))
        if answered >= ctx.end:
            continue
        author = users.get(case.assignee_id or 0) or admin or next(iter(users.values()))
        then = final.value if final in (CaseStatus.waiting, CaseStatus.open) else "solved"
        message = reply(
            desk,
            case.id,
            author=author,
            now=answered,
            then=then,
            body="Thank you for telling us. We have sorted this out for you.",
        )
        message.status, message.sent_at, message.attempts = "sent", answered, 1
        later = calendar.add(answered, 60 * 8 * (1 + 2 * ctx.rng.random()))
        if final in (CaseStatus.closed, CaseStatus.reopened) and later < ctx.end:
            actor = "customer" if final is CaseStatus.reopened else author.email
            set_status(desk, case, final.value, actor=actor, now=later)


def _problem(session: Session) -> None:
    """The most common shared topic becomes a problem, fixed but not yet announced."""
    suggestions = suggest(session)
    if suggestions:
        top = suggestions[0]
        problem = create_problem(
            session,
            title=f"Many cases about {top.topic}",
            topic=top.topic,
            case_ids=top.case_ids[:50],
            actor=ADMIN_EMAIL,
        )
        mark_fixed(session, problem, fix="Root cause found and fixed by the network team.")
