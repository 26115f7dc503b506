"""Demo step: Brightwave's topic taxonomy, and every customer text of the demo enriched, so the
text analytics page and each timeline show what customers said and felt."""

from __future__ import annotations

from cxloop.demo.context import DemoContext
from cxloop.settings import get_settings
from cxloop.store.uow import unit_of_work
from cxloop.understanding import (
    TopicCreate,
    create_topic,
    enrich_interactions,
    shared_analyser,
    stale_interactions,
)

BATCH = 512
TAXONOMY: dict[tuple[str, str], list[tuple[str, str, list[str]]]] = {
    ("Billing", "invoices, charges, payments and refunds"): [
        (
            "Unexpected charge",
            "charged twice, higher bill, fees not agreed",
            ["you charged me twice", "my bill is higher than agreed"],
        ),
        ("Refund", "money back, credit notes", ["where is my refund", "I want my money back"]),
    ],
    ("Network", "mobile and broadband service quality"): [
        (
            "Outage",
            "no service, network down",
            ["no signal since this morning", "internet is down"],
        ),
        (
            "Slow speed",
            "slow broadband or data",
            ["the internet is very slow", "speed keeps dropping"],
        ),
    ],
    ("Orders and delivery", "new orders, devices, shipping and installation"): [
        ("Delivery", "parcels, couriers, late devices", ["my router never arrived"]),
        ("Installation", "engineer visits and setup", ["the engineer did not show up"]),
    ],
    ("Customer service", "agents, waiting times, how we handled a contact"): [
        ("Waiting time", "long holds and slow replies", ["I waited an hour on hold"]),
        ("Helpful agent", "praise for an agent", ["the agent was very helpful"]),
    ],
    ("Cancellation", "leaving, switching provider, ending a contract"): [],
}


def understanding_step(ctx: DemoContext) -> None:
    with unit_of_work(ctx.bind) as session:
        for (name, description), children in TAXONOMY.items():
            parent = create_topic(session, data=TopicCreate(name=name, description=description))
            for child, child_description, examples in children:
                create_topic(
                    session,
                    data=TopicCreate(
                        name=child,
                        description=child_description,
                        parent_id=parent.id,
                        examples=examples,
                    ),
                )
    settings = get_settings()
    analyser = shared_analyser(settings.resolved_model_dir, settings.max_text_chars)
    after = 0
    while True:
        with unit_of_work(ctx.bind) as session:
            ids = stale_interactions(session, analyser, after_id=after, limit=BATCH)
            if not ids:
                break
            enrich_interactions(session, analyser, ids)
        after = ids[-1]
