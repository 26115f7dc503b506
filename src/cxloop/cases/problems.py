"""Problems: one root cause behind many cases, fixed once, and every affected customer told.

Suggestions come from the understanding of the cases' texts: active cases whose cause
interactions share a topic, and no problem yet, grouped by that topic. Announcing answers
every open case of the problem on its own channel ("you told us; here is what we did") and
solves it, in one action: each answer is an ordinary reply, so it is on every timeline.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases.directory import Directory
from cxloop.cases.lifecycle import record
from cxloop.cases.models import ACTIVE_STATUSES, Case, CaseLink, Problem, ProblemStatus
from cxloop.cases.replies import reply
from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.types import utcnow
from cxloop.understanding import Enrichment

MIN_SUGGESTED = 3


@dataclass(frozen=True, slots=True)
class Suggestion:
    topic: str
    case_ids: list[int]


def get_problem(session: Session, problem_id: int) -> Problem:
    problem = session.get(Problem, problem_id)
    if problem is None:
        raise NotFound(f"problem {problem_id} does not exist")
    return problem


def suggest(session: Session, *, minimum: int = MIN_SUGGESTED) -> list[Suggestion]:
    """Topics shared by at least ``minimum`` active cases that belong to no problem yet."""
    rows = session.execute(
        select(Case.id, Enrichment.topics)
        .join(CaseLink, CaseLink.case_id == Case.id)
        .join(Enrichment, Enrichment.interaction_id == CaseLink.interaction_id)
        .where(Case.problem_id.is_(None), Case.status.in_(sorted(ACTIVE_STATUSES)))
    )
    by_topic: defaultdict[str, set[int]] = defaultdict(set)
    for case_id, topics in rows:
        for topic in topics or []:
            by_topic[str(topic.get("path") or topic.get("name"))].add(case_id)
    sizes = Counter({topic: len(ids) for topic, ids in by_topic.items()})
    return [
        Suggestion(topic=topic, case_ids=sorted(by_topic[topic]))
        for topic, size in sizes.most_common()
        if size >= minimum
    ]


def create_problem(
    session: Session,
    *,
    title: str,
    description: str = "",
    topic: str | None = None,
    case_ids: list[int] | None = None,
    actor: str,
) -> Problem:
    if not title.strip():
        raise ValidationFailed("a problem needs a title", field="title")
    problem = Problem(title=title.strip(), description=description, topic=topic)
    session.add(problem)
    session.flush()
    if case_ids:
        attach(session, problem, case_ids, actor=actor)
    return problem


def attach(session: Session, problem: Problem, case_ids: list[int], *, actor: str) -> int:
    cases = list(session.scalars(select(Case).where(Case.id.in_(case_ids))))
    missing = set(case_ids) - {c.id for c in cases}
    if missing:
        raise ValidationFailed(f"case {min(missing)} does not exist", field="case_ids")
    for case in cases:
        case.problem_id = problem.id
        record(session, case, "problem", actor, problem_id=problem.id, title=problem.title)
    return len(cases)


def mark_fixed(session: Session, problem: Problem, *, fix: str) -> Problem:
    if not fix.strip():
        raise ValidationFailed("say what was fixed", field="fix")
    problem.status = ProblemStatus.fixed.value
    problem.fix = fix.strip()
    problem.fixed_at = utcnow()
    return problem


def announce(directory: Directory, problem: Problem, *, author: User, message: str) -> int:
    """Answer and solve every active case of the problem with ``message``; returns how many
    customers were told. Announcing twice is refused: nobody hears it twice."""
    if problem.status == ProblemStatus.announced.value:
        raise Conflict(f"problem {problem.id} was already announced on {problem.announced_at}")
    if problem.status != ProblemStatus.fixed.value:
        raise Conflict("mark the problem fixed before telling customers", field="status")
    if not message.strip():
        raise ValidationFailed("write what customers should hear", field="message")
    session = directory.session
    open_ids = list(
        session.scalars(
            select(Case.id)
            .where(Case.problem_id == problem.id, Case.status.in_(sorted(ACTIVE_STATUSES)))
            .order_by(Case.id)
        )
    )
    for case_id in open_ids:
        reply(directory, case_id, author=author, body=message, then="solved")
    problem.status = ProblemStatus.announced.value
    problem.announcement = message.strip()
    problem.announced_at = utcnow()
    return len(open_ids)
