"""Next-best-action playbooks: rules on risk (of leaving, and of a detractor answer),
reasons, value and consent that act on the customers the latest scoring put at risk — a
retention case for a department, a message to the customer on a case opened for it, or a
place in an experiment — with caps so nobody is contacted too often.

The caps: a customer with an open case is left to the people working it; one with any
playbook action (or retention case opened from the at-risk list) within a playbook's
``cooldown_days`` is left alone by it. Playbooks are tried in order; the first that matches
a customer acts, so one run takes at most one action per customer.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, User
from cxloop.cases import (
    ACTIVE_STATUSES,
    Case,
    CaseDraft,
    Directory,
    Priority,
    add_note,
    open_cases,
    reply,
)
from cxloop.customers import Customer
from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.privacy import has_consent, purpose_of
from cxloop.proactive.models import (
    DetractionScore,
    LatestScore,
    Playbook,
    PlaybookAction,
    RiskScore,
)
from cxloop.proactive.table import cell
from cxloop.types import utcnow

ACTIONS = ("case", "message", "experiment")
ORIGIN = "playbook"
RETENTION_TAG = "retention"
ACTOR = "system:playbooks"
SUBJECT_REASONS = 2


def create_playbook(
    session: Session,
    *,
    name: str,
    min_risk: float,
    department: str | None = None,
    action: str = "case",
    min_detraction: float | None = None,
    reason_contains: str | None = None,
    trait: str | None = None,
    trait_min: float | None = None,
    consent: str | None = None,
    priority: str = Priority.high.value,
    tags: Sequence[str] = (),
    message: str | None = None,
    sender: str | None = None,
    experiment_id: int | None = None,
    cooldown_days: int = 30,
) -> Playbook:
    """A playbook, checked as a team lead would state it; the last in order."""
    if not 0 <= min_risk <= 1:
        raise ValidationFailed("min_risk is a chance between 0 and 1", field="min_risk")
    if min_detraction is not None and not 0 <= min_detraction <= 1:
        raise ValidationFailed("min_detraction is a chance between 0 and 1", field="min_detraction")
    if action not in ACTIONS:
        raise ValidationFailed(f"action must be one of {', '.join(ACTIONS)}", field="action")
    if (trait is None) != (trait_min is None):
        raise ValidationFailed("a value condition needs both trait and trait_min", field="trait")
    if priority not in Priority.__members__:
        raise ValidationFailed(f"priority must be one of {', '.join(Priority)}", field="priority")
    if cooldown_days < 1:
        raise ValidationFailed("cooldown_days is at least 1", field="cooldown_days")
    sender_id = None
    if action == "message":
        if not (message or "").strip():
            raise ValidationFailed("a message playbook needs the message", field="message")
        found = session.scalar(select(User).where(User.email == (sender or "").strip().lower()))
        if found is None:
            raise ValidationFailed("a message playbook needs a sender (a user)", field="sender")
        sender_id = found.id
    if (action == "experiment") != (experiment_id is not None):
        raise ValidationFailed(
            "an experiment playbook names its experiment (and only it does)",
            field="experiment_id",
        )
    department_id = None
    if department is not None:
        department_id = session.scalar(select(Department.id).where(Department.slug == department))
        if department_id is None:
            raise ValidationFailed(f"there is no department '{department}'", field="department")
    if session.scalar(select(Playbook.id).where(Playbook.name == name.strip())) is not None:
        raise Conflict(f"a playbook named '{name.strip()}' exists")
    last = session.scalar(select(func.max(Playbook.position))) or 0
    playbook = Playbook(
        name=name.strip(),
        position=last + 1,
        min_risk=min_risk,
        min_detraction=min_detraction,
        reason_contains=(reason_contains or "").strip() or None,
        trait=trait,
        trait_min=trait_min,
        consent=purpose_of(consent).value if consent else None,
        action=action,
        department_id=department_id,
        priority=priority,
        tags=list(tags),
        message=message.strip() if message else None,
        sender_id=sender_id,
        experiment_id=experiment_id,
        cooldown_days=cooldown_days,
    )
    session.add(playbook)
    session.flush()
    return playbook


def get_playbook(session: Session, playbook_id: int) -> Playbook:
    found = session.get(Playbook, playbook_id)
    if found is None:
        raise NotFound(f"playbook {playbook_id} does not exist")
    return found


def list_playbooks(session: Session) -> list[Playbook]:
    return list(session.scalars(select(Playbook).order_by(Playbook.position, Playbook.id)))


def reasons_in_words(reasons: Sequence[dict[str, Any]], limit: int | None = None) -> str:
    return "; ".join(str(r.get("text")) for r in list(reasons)[:limit]) or "no single reason"


LEAVING, DETRACTING = "At risk of leaving", "Likely detractor"


def retention_draft(
    score: LatestScore,
    *,
    department_id: int | None,
    priority: str,
    tags: Sequence[str],
    headline: str = LEAVING,
) -> CaseDraft:
    """A retention case naming why (the risk a playbook acted on: of leaving, or of a
    detractor answer), for the department that keeps customers."""
    subject = f"{headline} ({score.risk:.0%}): " + reasons_in_words(score.reasons, SUBJECT_REASONS)
    return CaseDraft(
        customer_id=score.customer_id,
        subject=subject,
        channel="email",
        origin=ORIGIN,
        priority=priority,
        tags=list(dict.fromkeys([RETENTION_TAG, *tags])),
        text=reasons_in_words(score.reasons),
        department_id=department_id,
    )


def note_for(score: RiskScore, detraction: DetractionScore | None = None) -> str:
    lines = [f"Risk of leaving: {score.risk:.0%} (model {score.model_version}). Why:"]
    lines += [f"- {r.get('text')}" for r in score.reasons] or ["- no single reason stands out"]
    if detraction is not None:
        lines.append(
            f"Chance of a detractor answer (0-6) if surveyed now: {detraction.risk:.0%} "
            f"(model {detraction.model_version}). Why:"
        )
        lines += [f"- {r.get('text')}" for r in detraction.reasons] or [
            "- no single reason stands out"
        ]
    return "\n".join(lines)


def _busy(session: Session, customer_ids: Sequence[int]) -> set[int]:
    """Customers with an open case: the people working it talk to them."""
    return set(
        session.scalars(
            select(Case.customer_id).where(
                Case.customer_id.in_(list(customer_ids)),
                Case.status.in_(sorted(ACTIVE_STATUSES)),
                Case.merged_into_id.is_(None),
            )
        )
    )


def _last_action(session: Session, customer_ids: Sequence[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(PlaybookAction.customer_id, func.max(PlaybookAction.at))
        .where(PlaybookAction.customer_id.in_(list(customer_ids)))
        .group_by(PlaybookAction.customer_id)
    )
    return dict(rows.all())


def _value(traits: dict[str, Any], name: str) -> float | None:
    value = cell(traits.get(name))
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def matches(
    playbook: Playbook,
    score: RiskScore,
    traits: dict[str, Any],
    detraction: DetractionScore | None = None,
) -> bool:
    """Risks, reasons and value; consent is asked last, only of those who match the rest.
    A reason condition matches the reasons of either score."""
    if score.risk < playbook.min_risk:
        return False
    if playbook.min_detraction is not None and (
        detraction is None or detraction.risk < playbook.min_detraction
    ):
        return False
    if playbook.reason_contains:
        wanted = playbook.reason_contains.lower()
        reasons = [*score.reasons, *(detraction.reasons if detraction is not None else [])]
        if not any(wanted in str(r.get("text", "")).lower() for r in reasons):
            return False
    if playbook.trait is not None and playbook.trait_min is not None:
        value = _value(traits, playbook.trait)
        if value is None or value < playbook.trait_min:
            return False
    return True


@dataclass
class PlaybookRun:
    acted: dict[str, int] = field(default_factory=dict)
    """Actions taken, by playbook name."""
    skipped: dict[str, int] = field(default_factory=dict)
    """At-risk customers left alone, by why: open case, contacted recently, no consent."""
    case_ids: list[int] = field(default_factory=list)
    enrol: dict[int, list[int]] = field(default_factory=dict)
    """Customers to add to each experiment (by id): the caller, which may use the
    experiments domain, draws their arms."""


def run_playbooks(
    session: Session,
    directory: Directory,
    *,
    running_experiments: Collection[int] = (),
    now: datetime | None = None,
) -> PlaybookRun:
    """Act on the latest scores with the active playbooks, riskiest customers first; an
    experiment playbook acts only while its experiment is among ``running_experiments``."""
    now = now or utcnow()
    playbooks = [
        p
        for p in list_playbooks(session)
        if p.active and (p.experiment_id is None or p.experiment_id in running_experiments)
    ]
    run = PlaybookRun()
    if not playbooks:
        return run
    floor = min(p.min_risk for p in playbooks)
    scores = list(
        session.scalars(
            select(RiskScore).where(RiskScore.risk >= floor).order_by(RiskScore.risk.desc())
        )
    )
    ids = [s.customer_id for s in scores]
    busy, last = _busy(session, ids), _last_action(session, ids)
    traits: dict[int, dict[str, Any]] = dict(
        session.execute(select(Customer.id, Customer.traits).where(Customer.id.in_(ids))).all()
    )
    detraction = _detraction(session, ids)
    chosen: list[tuple[Playbook, RiskScore]] = []
    for score in scores:
        why = _plan(
            session,
            playbooks,
            score,
            traits.get(score.customer_id) or {},
            now,
            last,
            detraction.get(score.customer_id),
        )
        if isinstance(why, Playbook) and score.customer_id in busy:
            why = "has an open case"
        if isinstance(why, Playbook):
            chosen.append((why, score))
        elif why:
            run.skipped[why] = run.skipped.get(why, 0) + 1
    _act(session, directory, chosen, detraction, run, now)
    return run


def _detraction(session: Session, customer_ids: Sequence[int]) -> dict[int, DetractionScore]:
    return {
        s.customer_id: s
        for s in session.scalars(
            select(DetractionScore).where(DetractionScore.customer_id.in_(list(customer_ids)))
        )
    }


def _plan(
    session: Session,
    playbooks: Sequence[Playbook],
    score: RiskScore,
    traits: dict[str, Any],
    now: datetime,
    last: dict[int, datetime],
    detraction: DetractionScore | None,
) -> Playbook | str | None:
    """The playbook that acts on this customer, or why none does (None: none applies)."""
    reason: str | None = None
    for playbook in playbooks:
        if not matches(playbook, score, traits, detraction):
            continue
        previous = last.get(score.customer_id)
        if previous is not None and previous > now - timedelta(days=playbook.cooldown_days):
            reason = reason or "contacted recently"
            continue
        if playbook.consent and not has_consent(
            session, customer_id=score.customer_id, purpose=playbook.consent
        ):
            reason = reason or f"no {playbook.consent} consent"
            continue
        return playbook
    return reason


def _act(
    session: Session,
    directory: Directory,
    chosen: Sequence[tuple[Playbook, RiskScore]],
    detraction: dict[int, DetractionScore],
    run: PlaybookRun,
    now: datetime,
) -> None:
    with_case = [(p, s) for p, s in chosen if p.action != "experiment"]
    drafts = []
    for playbook, score in with_case:
        # A playbook on detraction names the risk it acted on (it is there, or none matched).
        unhappy = detraction.get(score.customer_id) if playbook.min_detraction is not None else None
        drafts.append(
            retention_draft(
                unhappy or score,
                department_id=playbook.department_id,
                priority=playbook.priority,
                tags=[*playbook.tags, f"playbook:{playbook.name}"],
                headline=DETRACTING if unhappy is not None else LEAVING,
            )
        )
    cases = open_cases(session, directory, drafts, actor=ACTOR, now=now) if drafts else []
    opened = {score.customer_id: case for (_, score), case in zip(with_case, cases, strict=True)}
    for playbook, score in chosen:
        case = opened.get(score.customer_id)
        if case is not None:
            add_note(session, case, note_for(score, detraction.get(score.customer_id)), actor=ACTOR)
            run.case_ids.append(case.id)
            sender = session.get(User, playbook.sender_id) if playbook.sender_id else None
            if playbook.action == "message" and playbook.message and sender is not None:
                reply(directory, case.id, author=sender, body=playbook.message, now=now)
        elif playbook.experiment_id is not None:
            run.enrol.setdefault(playbook.experiment_id, []).append(score.customer_id)
        session.add(
            PlaybookAction(
                playbook_id=playbook.id,
                customer_id=score.customer_id,
                action=playbook.action,
                case_id=case.id if case is not None else None,
                risk=score.risk,
                actor=ACTOR,
                at=now,
            )
        )
        run.acted[playbook.name] = run.acted.get(playbook.name, 0) + 1
    session.flush()


def open_retention_case(
    session: Session, directory: Directory, customer_id: int, *, department: str, actor: str
) -> Case:
    """The at-risk list's one click: a retention case for ``department`` with the customer's
    reasons, counted by the playbooks' caps like any playbook action."""
    score = session.get(RiskScore, customer_id)
    if score is None:
        raise ValidationFailed(f"customer {customer_id} has no risk score", field="customer_id")
    dept = directory.department_by_slug(department)
    draft = retention_draft(
        score,
        department_id=dept.id if dept is not None else None,
        priority=Priority.high.value,
        tags=[],
    )
    [case] = open_cases(session, directory, [draft], actor=actor)
    add_note(session, case, note_for(score, session.get(DetractionScore, customer_id)), actor=actor)
    session.add(
        PlaybookAction(
            customer_id=customer_id, action="case", case_id=case.id, risk=score.risk, actor=actor
        )
    )
    session.flush()
    return case
