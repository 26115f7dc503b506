"""The demo company, Brightwave: a small telecom with 18 months of customer journeys.

``cxloop demo`` loads it so a new user sees a working product in a minute, and benchmarks
load it at ``scale`` to measure cxloop on realistic volumes. Deterministic for a seed.
"""

from cxloop.demo.context import ADMIN_EMAIL, DemoContext, Person, Step
from cxloop.demo.loader import (
    RESPONSES_PER_SCALE,
    STEPS,
    DemoResult,
    demo_customers,
    load_demo,
)
from cxloop.demo.surveys import PUBLIC_SURVEY_KEY

__all__ = [
    "ADMIN_EMAIL",
    "PUBLIC_SURVEY_KEY",
    "RESPONSES_PER_SCALE",
    "STEPS",
    "DemoContext",
    "DemoResult",
    "Person",
    "Step",
    "demo_customers",
    "load_demo",
]
