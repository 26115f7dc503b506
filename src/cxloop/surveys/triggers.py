"""Trigger rules: invite after the moments that matter, at a decent hour, not everyone.

A rule matches an interaction on type, channel, stage and properties. Sampling is decided by a
hash of the rule and the interaction, not by chance, so evaluating the same interaction twice
(a retry, a restart) gives the same answer; so does the duplicate check on the invitation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.errors import NotFound
from cxloop.interactions import Interaction
from cxloop.surveys.fatigue import FatigueRules, load_fatigue
from cxloop.surveys.invitations import CHANNELS, new_invitation
from cxloop.surveys.models import DispatchMark, Invitation, Survey, SurveyStatus, Trigger

MARK = "triggers"


class TriggerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["After delivery"])
    type: str | None = Field(default=None, max_length=200, examples=["Parcel Delivered"])
    channel: str | None = Field(default=None, max_length=32)
    stage: str | None = Field(default=None, max_length=32, examples=["delivery"])
    properties: dict[str, Any] = Field(default_factory=dict)
    invite_channel: str = Field(default="email", description="How to invite: email, sms, chat…")
    delay_minutes: int = Field(default=0, ge=0, le=60 * 24 * 60)
    sampling: float = Field(default=1.0, gt=0, le=1, description="Share of matches invited.")
    quiet_start_hour: int | None = Field(default=None, ge=0, le=23)
    quiet_end_hour: int | None = Field(default=None, ge=0, le=23)

    @model_validator(mode="after")
    def _consistent(self) -> TriggerCreate:
        if (self.quiet_start_hour is None) != (self.quiet_end_hour is None):
            raise ValueError("give both quiet_start_hour and quiet_end_hour, or neither")
        if self.invite_channel not in CHANNELS:
            raise ValueError(f"invite_channel must be one of {', '.join(sorted(CHANNELS))}")
        return self


class TriggerRead(TriggerCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    survey_id: int
    active: bool


def create_trigger(session: Session, *, survey: Survey, data: TriggerCreate) -> Trigger:
    """A new rule; it applies to interactions received from now on, never to history."""
    read_mark(session)  # the dispatcher reads on from here, whenever it next runs
    trigger = Trigger(survey_id=survey.id, **data.model_dump())
    session.add(trigger)
    session.flush()
    return trigger


def read_mark(session: Session) -> DispatchMark:
    """How far the dispatcher has read; set at the newest interaction the first time it is
    needed, so history before the first trigger is never surveyed."""
    mark = session.get(DispatchMark, MARK, with_for_update=True)
    if mark is None:
        newest = session.scalar(select(func.max(Interaction.id))) or 0
        mark = DispatchMark(name=MARK, last_interaction_id=newest)
        session.add(mark)
        session.flush()
    return mark


def set_trigger_active(
    session: Session, *, survey: Survey, trigger_id: int, active: bool
) -> Trigger:
    """Pause or resume a rule. The dispatcher reads past what arrives while a rule is paused,
    so resuming does not survey the moments it missed."""
    trigger = session.get(Trigger, trigger_id)
    if trigger is None or trigger.survey_id != survey.id:
        raise NotFound(f"survey {survey.id} has no trigger {trigger_id}")
    trigger.active = active
    session.flush()
    return trigger


def triggers_of(session: Session, survey: Survey) -> list[Trigger]:
    return list(
        session.scalars(select(Trigger).where(Trigger.survey_id == survey.id).order_by(Trigger.id))
    )


def active_triggers(session: Session) -> list[Trigger]:
    """Active rules of live surveys (what the dispatcher evaluates)."""
    return list(
        session.scalars(
            select(Trigger)
            .join(Survey, Survey.id == Trigger.survey_id)
            .where(Trigger.active, Survey.status == SurveyStatus.live.value)
            .order_by(Trigger.id)
        )
    )


def matches(trigger: Trigger, interaction: Interaction) -> bool:
    if trigger.type is not None and trigger.type != interaction.type:
        return False
    if trigger.channel is not None and trigger.channel != interaction.channel:
        return False
    if trigger.stage is not None and trigger.stage != interaction.stage:
        return False
    props = interaction.properties or {}
    return all(props.get(k) == v for k, v in trigger.properties.items())


def sampled(trigger: Trigger, message_id: str) -> bool:
    """The same yes/no for the same rule and interaction, every time it is asked."""
    if trigger.sampling >= 1:
        return True
    digest = hashlib.sha256(f"{trigger.id}:{message_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < trigger.sampling


def customer_zone(traits: dict[str, Any], default: str) -> ZoneInfo:
    for name in (traits.get("timezone"), traits.get("time_zone"), default):
        if isinstance(name, str) and name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def send_time(trigger: Trigger, occurred: datetime, zone: ZoneInfo) -> datetime:
    """``occurred`` plus the delay, moved to the end of the quiet hours in the customer's zone."""
    at = occurred + timedelta(minutes=trigger.delay_minutes)
    start, end = trigger.quiet_start_hour, trigger.quiet_end_hour
    if start is None or end is None or start == end:
        return at
    local = at.astimezone(zone)
    hour = local.hour
    quiet = (start <= hour < end) if start < end else (hour >= start or hour < end)
    if not quiet:
        return at
    wake = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake.astimezone(at.tzinfo)


def evaluate(
    session: Session,
    interactions: Sequence[Interaction],
    triggers: Sequence[Trigger],
    *,
    rules: FatigueRules,
    default_timezone: str,
    now: datetime,
    delivered: frozenset[str] = frozenset({"email"}),
) -> list[Invitation]:
    """Invite for every (interaction, rule) that matches and is sampled, under the fatigue
    rules; the database is read a fixed number of times per batch, not per match."""
    matched = [
        (interaction, trigger)
        for interaction in interactions
        if interaction.channel != "survey"  # a survey answer never triggers another survey
        for trigger in triggers
        if interaction.received_at >= trigger.created_at
        and matches(trigger, interaction)
        and sampled(trigger, interaction.message_id)
    ]
    if not matched:
        return []
    done = {
        (trigger_id, interaction_id)
        for trigger_id, interaction_id in session.execute(
            select(Invitation.trigger_id, Invitation.trigger_interaction_id).where(
                Invitation.trigger_interaction_id.in_({i.id for i, _ in matched})
            )
        )
    }
    surveys = {
        s.id: s
        for s in session.scalars(
            select(Survey).where(Survey.id.in_({t.survey_id for _, t in matched}))
        )
    }
    fatigue = load_fatigue(
        session, {i.customer_id for i, _ in matched}, list(surveys.values()), rules, now
    )
    made: list[Invitation] = []
    for interaction, trigger in matched:
        survey = surveys[trigger.survey_id]
        if (trigger.id, interaction.id) in done or fatigue.reason(
            survey, interaction.customer_id, trigger.invite_channel
        ):
            continue
        customer = fatigue.customers[interaction.customer_id]
        invitation = new_invitation(
            session,
            survey=survey,
            customer=customer,
            channel=trigger.invite_channel,
            rules=rules,
            now=now,
            delivered=delivered,
            stage=interaction.stage,
            trigger_interaction_id=interaction.id,
        )
        invitation.trigger_id = trigger.id
        at = send_time(
            trigger, interaction.occurred_at, customer_zone(customer.traits, default_timezone)
        )
        invitation.send_after = at if at > now else None
        fatigue.note(survey, interaction.customer_id)
        made.append(invitation)
    session.flush()
    return made
