"""Eighteen months of Brightwave customer journeys, stored through ``store_interactions``.

A journey is built per person, in time order, from a few generators (acquisition, usage,
support, renewal, referral, termination), each choosing channels, departments, agents and
words the way that kind of moment happens in a telecom. Every interaction carries the
identity its channel knows (a device id on the website, a phone number on a call, a CRM id
in a store), so identity resolution does the joining, as in production. Batches never split
a person, so each batch resolves few customers and the load stays fast.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from cxloop.customers import IdentityKey
from cxloop.demo import texts
from cxloop.demo.context import DemoContext, Person
from cxloop.demo.people import strong_identities
from cxloop.interactions import InteractionIn, store_interactions
from cxloop.store.uow import unit_of_work

CONTACT_CHANNELS = {
    "phone": 0.36,
    "chat": 0.25,
    "email": 0.2,
    "store": 0.1,
    "social": 0.05,
    "app": 0.04,
}
DEVICE_CHANNELS = frozenset({"web", "app"})
FIBRE_PLANS = frozenset({"Fibre 300", "Fibre 1G", "Home Bundle"})
INCIDENT_RATE = {"positive": 0.8, "neutral": 1.6, "negative": 3.2}  # per 18 months
CSAT = {"positive": (4, 5), "neutral": (3, 4), "negative": (1, 2)}


class Journey:
    """One person's interactions, built up by the generators below."""

    def __init__(self, ctx: DemoContext, person: Person) -> None:
        self.ctx = ctx
        self.person = person
        self.rng: random.Random = ctx.rng
        self.records: list[InteractionIn] = []
        keys = {k.kind: k for k in strong_identities(person)}
        self.keys = keys
        self.devices = [IdentityKey("anonymous_id", d) for d in person.devices]
        self.end = min(person.churn_at or ctx.end, ctx.end)

    # -- building blocks ---------------------------------------------------------------

    def identities(self, channel: str, *, known: bool = True) -> list[IdentityKey]:
        device = self.rng.choice(self.devices)
        if channel == "web":
            return [device, self.keys["user_id"]] if known else [device]
        if channel == "app":
            return [self.keys["user_id"], device]
        if channel in ("phone", "sms"):
            return [self.keys["phone"]]
        if channel in ("store", "field"):
            return [self.keys["external"]]
        if channel == "social" and "social" in self.keys:
            return [self.keys["social"]]
        if channel == "chat":
            return [self.keys["user_id"]]
        return [self.keys["email"]]

    def add(
        self,
        when: datetime,
        channel: str,
        stage: str,
        type_: str,
        *,
        direction: str = "in",
        department: str | None = None,
        text: str | None = None,
        known: bool = True,
        **properties: Any,
    ) -> str | None:
        """Record one interaction (dropped when it falls outside the person's window)."""
        if not self.ctx.start <= when <= self.end:
            return None
        agent = self.rng.choice(self.ctx.agents[department]) if department else None
        self.records.append(
            InteractionIn(
                message_id=f"demo-{self.ctx.seed}-{self.person.index}-{len(self.records)}",
                type=type_,
                channel=channel,
                occurred_at=when,
                received_at=when + timedelta(seconds=self.rng.randint(1, 90)),
                identities=self.identities(channel, known=known),
                # Systems that hold the customer's record (contact centre, CRM, billing)
                # send its id; web and app events carry device ids for resolution to join.
                customer_id=None if channel in DEVICE_CHANNELS else self.person.customer_id,
                stage=stage,
                direction=direction,
                assisted=department is not None,
                agent=agent,
                department=department,
                text=text,
                properties=properties,
                source_id=self.ctx.sources.get(channel),
            )
        )
        return agent

    def later(self, when: datetime, low_hours: float, high_hours: float) -> datetime:
        return when + timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def daytime(self, when: datetime) -> datetime:
        """Move a moment to office-ish hours on the same day (people call at 8:00-21:00)."""
        return when.replace(hour=self.rng.randint(8, 20), minute=self.rng.randint(0, 59))

    def speak(self) -> dict[str, Any]:
        return {"first_name": self.person.first_name, "plan": self.person.plan}

    # -- generators --------------------------------------------------------------------

    def acquisition(self) -> None:
        p, rng = self.person, self.rng
        joined = p.joined_at
        first_visit = joined - timedelta(days=rng.uniform(5, 40))
        campaign = rng.choice(["search", "social", "tv", "referral", "price-comparison"])
        for i in range(rng.randint(2, 5)):
            page = rng.choice(["/", "/fibre", "/mobile", "/deals", "/coverage"])
            when = first_visit + (joined - first_visit) * (i / 6)
            self.add(
                when,
                "web",
                "awareness" if i < 2 else "consideration",
                "page_viewed",
                known=False,
                url=page,
                utm_source=campaign,
            )
        when = self.later(first_visit, 24, 200)
        if rng.random() < 0.35:
            agent = self.ctx.agents["sales"][0]
            self.add(
                when,
                "chat",
                "consideration",
                "chat_conversation",
                department="sales",
                text=texts.chat_transcript(
                    rng, "upgrade", "positive", p.language, agent, **self.speak()
                ),
            )
        elif rng.random() < 0.3:
            self.add(
                self.daytime(when),
                "store",
                "consideration",
                "store_visit",
                department="stores",
                text=f"Walk-in, asked about {p.plan} pricing and coverage in {p.region}.",
            )
        channel = rng.choices(["web", "app", "store", "phone"], weights=[0.5, 0.15, 0.25, 0.1])[0]
        department = "stores" if channel == "store" else "sales" if channel == "phone" else None
        self.add(
            joined,
            channel,
            "purchase",
            "order_completed",
            department=department,
            plan=p.plan,
            monthly_value=p.monthly_value,
            order_id=f"BW-{p.index:07d}",
        )
        self.add(
            self.later(joined, 0, 0.1),
            "email",
            "purchase",
            "order_confirmation",
            direction="out",
            text=f"Thanks {p.first_name}! Your {p.plan} order is confirmed.",
        )
        self.delivery(joined)
        self.onboarding(joined + timedelta(days=rng.uniform(3, 10)))

    def delivery(self, ordered: datetime) -> None:
        p, rng = self.person, self.rng
        self.add(
            self.later(ordered, 12, 48),
            "sms",
            "delivery",
            "shipment_dispatched",
            direction="out",
            text="Your Brightwave order is on its way.",
        )
        if p.plan in FIBRE_PLANS:
            when = self.daytime(ordered + timedelta(days=rng.uniform(4, 12)))
            self.add(
                when,
                "field",
                "delivery",
                "installation_visit",
                department="delivery",
                text=rng.choice(
                    [
                        "Installed ONT and router, line live, speeds tested OK.",
                        "Drilled new entry point, router set up, customer shown the app.",
                        "Line fault at the pole, needs a second visit.",
                    ]
                ),
            )
        if rng.random() < (0.35 if p.tone == "negative" else 0.1):
            topic = "installation" if p.plan in FIBRE_PLANS else "delivery"
            self.incident(self.later(ordered, 72, 200), topic, stage="delivery")

    def onboarding(self, when: datetime) -> None:
        p, rng = self.person, self.rng
        self.add(
            when,
            "email",
            "onboarding",
            "welcome_email",
            direction="out",
            text=f"Welcome to Brightwave, {p.first_name}. "
            f"Here is how to get the most from {p.plan}.",
        )
        self.add(self.later(when, 1, 48), "app", "onboarding", "app_installed")
        self.add(self.later(when, 2, 60), "app", "onboarding", "first_login")
        if rng.random() < 0.5:
            self.survey(self.later(when, 72, 200), "onboarding", "onboarding")

    def usage(self) -> None:
        p, rng = self.person, self.rng
        # The first bill comes a month after joining, once onboarding is done.
        month = max(p.joined_at + timedelta(days=30.4), self.ctx.start)
        while month < self.end:
            self.add(
                month,
                "email",
                "usage",
                "invoice_issued",
                direction="out",
                amount=round(p.monthly_value * rng.uniform(0.95, 1.15), 2),
            )
            if rng.random() < 0.55:
                self.add(self.later(month, 2, 120), "app", "usage", "bill_viewed")
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                self.add(
                    self.later(month, 1, 700),
                    "app",
                    "usage",
                    "app_opened",
                    screen=rng.choice(["home", "usage", "plan", "offers", "support"]),
                )
            if rng.random() < 0.3:
                self.add(
                    self.later(month, 1, 700),
                    "web",
                    "usage",
                    "page_viewed",
                    url=rng.choice(["/account", "/help/wifi", "/help/billing", "/deals"]),
                )
            if p.plan.startswith("Mobile") and rng.random() < 0.25:
                self.add(
                    self.later(month, 200, 600),
                    "sms",
                    "usage",
                    "data_usage_alert",
                    direction="out",
                    text="You have used 80% of your monthly data.",
                )
            month += timedelta(days=30.4)

    def support(self) -> None:
        p, rng = self.person, self.rng
        start = max(p.joined_at, self.ctx.start)
        share = (self.end - start) / (self.ctx.end - self.ctx.start)
        for _ in range(_poisson(rng, INCIDENT_RATE[p.tone] * share)):
            when = start + (self.end - start) * rng.random()
            self.incident(when, rng.choice(texts.TOPICS[:6]), stage="support")

    def incident(
        self, when: datetime, topic: str, *, stage: str, channel: str | None = None
    ) -> None:
        """A customer problem: first contact, replies, maybe a second contact, survey, review."""
        p, rng = self.person, self.rng
        tone = p.tone if rng.random() < 0.7 else rng.choice(("positive", "neutral", "negative"))
        department = texts.TOPIC_DEPARTMENT[topic]
        channel = channel or _pick(rng, CONTACT_CHANNELS)
        if channel == "social" and p.social is None:
            channel = "email"
        when = self.daytime(when)
        lang, say = p.language, self.speak()
        if channel == "email":
            self.add(
                when,
                "email",
                stage,
                "email_received",
                text=texts.customer_message(rng, topic, tone, lang, **say),
                topic=topic,
            )
            agent = self.ctx.agents[department][rng.randrange(len(self.ctx.agents[department]))]
            self.add(
                self.later(when, 2, 50),
                "email",
                stage,
                "email_sent",
                direction="out",
                department=department,
                text=texts.agent_reply(rng, topic, agent, **say),
            )
        elif channel == "chat":
            agent = rng.choice(self.ctx.agents[department])
            self.add(
                when,
                "chat",
                stage,
                "chat_conversation",
                department=department,
                topic=topic,
                text=texts.chat_transcript(rng, topic, tone, lang, agent, **say),
            )
        elif channel == "social":
            self.add(
                when,
                "social",
                stage,
                "social_post",
                text=texts.social_post(rng, tone, lang, topic, **say),
                topic=topic,
            )
            self.add(
                self.later(when, 0.5, 6),
                "social",
                stage,
                "social_reply",
                direction="out",
                department=department,
                text=f"@{p.social[1] if p.social else ''} Sorry to hear this, "
                "please DM us your account number.",
            )
        elif channel == "store":
            self.add(
                when,
                "store",
                stage,
                "store_visit",
                department="stores",
                topic=topic,
                text=texts.call_note(rng, topic, tone, **say),
            )
        elif channel == "app":
            self.add(
                when,
                "app",
                stage,
                "support_form_submitted",
                text=texts.customer_message(rng, topic, tone, lang, **say),
                topic=topic,
            )
        else:
            self.add(
                when,
                "phone",
                stage,
                "call",
                department=department,
                topic=topic,
                duration_s=rng.randint(120, 2400),
                text=texts.call_note(rng, topic, tone, **say),
            )
        if topic in ("outage", "installation") and rng.random() < 0.3:
            self.add(
                self.daytime(when + timedelta(days=rng.uniform(1, 5))),
                "field",
                stage,
                "engineer_visit",
                department="delivery",
                text=texts.call_note(rng, topic, "neutral", **say),
            )
        if tone == "negative" and rng.random() < 0.5:
            self.add(
                self.later(when, 48, 200),
                "phone",
                stage,
                "call",
                department=department,
                topic=topic,
                repeat_contact=True,
                text=texts.call_note(rng, topic, "negative", **say),
            )
        if rng.random() < 0.4:
            self.survey(self.later(when, 24, 96), stage, "csat", tone=tone)
        if rng.random() < (0.15 if tone == "negative" else 0.05):
            stars, words = texts.review(rng, tone, lang, **say)
            self.add(
                self.later(when, 24, 300),
                "review",
                stage,
                "review_posted",
                text=words,
                rating=stars,
                site=rng.choice(["Trustpilot", "Google"]),
            )

    def survey(self, when: datetime, stage: str, survey: str, *, tone: str | None = None) -> None:
        rng, tone = self.rng, tone or self.person.tone
        self.add(when, "email", stage, "survey_invited", direction="out", survey=survey)
        if rng.random() < 0.45:
            low, high = CSAT[tone]
            comment = (
                texts.survey_comment(rng, tone, self.person.language, **self.speak())
                if rng.random() < 0.6
                else None
            )
            self.add(
                self.later(when, 0.2, 48),
                "survey",
                stage,
                "survey_response",
                text=comment,
                survey=survey,
                # Recorded as a survey's own answers are (``scores`` by metric), so case
                # rules such as ``score.nps le 6`` and the churn features read them alike.
                scores={"csat": rng.randint(low, high), "nps": rng.randint(low * 2 - 2, high * 2)},
            )

    def renewal(self) -> None:
        p, rng = self.person, self.rng
        when = p.joined_at + timedelta(days=365)
        while when < self.end:
            self.add(
                when - timedelta(days=30),
                "email",
                "renewal",
                "renewal_offer",
                direction="out",
                text=f"{p.first_name}, your contract ends soon: stay on {p.plan} and save 15%.",
            )
            if rng.random() < 0.35:
                self.add(
                    self.daytime(when - timedelta(days=14)),
                    "phone",
                    "renewal",
                    "renewal_call",
                    direction="out",
                    department=rng.choice(["sales", "retention"]),
                    text=texts.call_note(rng, "upgrade", "neutral", **self.speak()),
                )
            if p.churn_at is None or p.churn_at > when:
                self.add(
                    self.later(when, -200, 0),
                    rng.choice(["web", "app", "phone"]),
                    "renewal",
                    "contract_renewed",
                    plan=p.plan,
                )
            when += timedelta(days=365)

    def referral(self) -> None:
        p, rng = self.person, self.rng
        if p.tone != "positive" or rng.random() > 0.2:
            return
        when = (
            max(p.joined_at, self.ctx.start)
            + (self.end - max(p.joined_at, self.ctx.start)) * rng.random()
        )
        self.add(when, "app", "referral", "referral_sent", code=f"REF{p.index:06d}")
        if p.social is not None:
            self.add(
                self.later(when, 1, 100),
                "social",
                "referral",
                "social_post",
                text=texts.social_post(rng, "positive", p.language, "upgrade", **self.speak()),
            )
        if rng.random() < 0.3:
            stars, words = texts.review(rng, "positive", p.language, **self.speak())
            self.add(
                self.later(when, 10, 400),
                "review",
                "referral",
                "review_posted",
                text=words,
                rating=stars,
            )

    def termination(self) -> None:
        p, rng = self.person, self.rng
        if p.churn_at is None:
            return
        asked = p.churn_at - timedelta(days=rng.uniform(10, 30))
        say = self.speak()
        self.add(
            self.daytime(asked),
            "phone",
            "termination",
            "cancellation_request",
            department="retention",
            text=texts.call_note(rng, "cancellation", "negative", **say),
        )
        self.add(
            self.later(asked, 2, 48),
            "email",
            "termination",
            "retention_offer",
            direction="out",
            department="retention",
            text=texts.agent_reply(rng, "cancellation", "Aisha Bello", **say),
        )
        self.add(
            p.churn_at - timedelta(hours=1),
            rng.choice(["phone", "store"]),
            "termination",
            "contract_terminated",
            department=rng.choice(["retention", "stores"]),
        )
        active_until, self.end = self.end, min(p.churn_at + timedelta(days=20), self.ctx.end)
        self.add(
            p.churn_at + timedelta(days=3),
            "sms",
            "termination",
            "final_bill",
            direction="out",
            text="Your final Brightwave bill is ready.",
        )
        self.survey(p.churn_at + timedelta(days=5), "termination", "exit", tone="negative")
        self.end = active_until

    def story(self) -> None:
        """The demo's guided tour: one customer who has touched every channel and stage."""
        p = self.person
        joined = p.joined_at
        self.incident(joined + timedelta(days=4), "installation", stage="delivery", channel="phone")
        self.incident(joined + timedelta(days=40), "billing", stage="support", channel="email")
        self.incident(joined + timedelta(days=90), "outage", stage="support", channel="social")
        self.incident(joined + timedelta(days=95), "outage", stage="support", channel="chat")
        self.incident(joined + timedelta(days=120), "device", stage="support", channel="store")
        self.add(
            joined + timedelta(days=121),
            "field",
            "support",
            "engineer_visit",
            department="delivery",
            text="Replaced faulty router and re-terminated the line. Speeds now 930 Mbps.",
        )
        self.add(
            joined + timedelta(days=150),
            "phone",
            "termination",
            "cancellation_request",
            department="retention",
            text=texts.call_note(self.rng, "cancellation", "negative", **self.speak()),
        )
        self.add(
            joined + timedelta(days=151),
            "email",
            "termination",
            "retention_offer",
            direction="out",
            department="retention",
            text=texts.agent_reply(self.rng, "cancellation", "Aisha Bello", **self.speak()),
        )
        self.add(joined + timedelta(days=152), "sms", "renewal", "offer_accepted", text="YES")
        self.add(
            joined + timedelta(days=153),
            "survey",
            "support",
            "survey_response",
            scores={"csat": 5, "nps": 9},
            text="Aisha turned it around, thank you. Still annoyed it took five contacts.",
            survey="csat",
        )
        self.add(
            joined + timedelta(days=200),
            "review",
            "referral",
            "review_posted",
            rating=4,
            text="Rocky start with the installation but support fixed everything in the end.",
        )
        self.add(joined + timedelta(days=210), "app", "referral", "referral_sent", code="REF000000")
        self.add(
            joined + timedelta(days=211), "web", "awareness", "page_viewed", url="/refer-a-friend"
        )

    def build(self) -> list[InteractionIn]:
        if self.person.joined_at >= self.ctx.start:
            self.acquisition()
        self.termination()
        self.usage()
        self.support()
        self.renewal()
        self.referral()
        if self.person.index == 0:
            self.story()
        self.records.sort(key=lambda r: r.occurred_at)
        return self.records


def _poisson(rng: random.Random, mean: float) -> int:
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def journeys_step(ctx: DemoContext) -> None:
    """Every person's journey, in batches that never split a person."""
    pending: list[InteractionIn] = []
    for person in ctx.people:
        pending += Journey(ctx, person).build()
        if len(pending) >= ctx.batch_size:
            _store(ctx, pending)
            pending = []
    _store(ctx, pending)


def _store(ctx: DemoContext, records: list[InteractionIn]) -> None:
    if not records:
        return
    with unit_of_work(ctx.bind) as session:
        result = store_interactions(session, records)
    if result.rejected:  # a bug in the generator, never the data: fail loudly
        first = result.rejected[0]
        raise RuntimeError(f"demo interaction rejected: {first.field}: {first.detail}")
    ctx.counts["interactions"] += result.stored
