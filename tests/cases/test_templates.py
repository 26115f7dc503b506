"""Reply templates: variables filled in safely, in the customer's language, English otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases import Case, create_template, list_templates, render_template
from cxloop.errors import Conflict, NotFound, ValidationFailed
from tests.cases.factories import directory, make_agent, make_case, make_department
from tests.customers.factories import make_customer


@pytest.fixture
def agent(session: Session) -> User:
    user = make_agent(session, make_department(session))
    user.name = "Agnes Agent"
    return user


def case_for(session: Session, **traits: str) -> Case:
    customer = make_customer(session, name="Anna Schmidt", traits=traits)
    return make_case(session, department=None, text="Where is my parcel?", customer=customer)


def test_variables_are_filled_in_and_a_stray_dollar_is_left_alone(
    session: Session, agent: User
) -> None:
    create_template(
        session,
        key="parcel",
        subject="About case $case_id",
        body="Hello $customer_first_name,\nit costs $5 to resend. $$ signs stay.\n$agent_name",
    )
    case = case_for(session)

    rendered = render_template(directory(session), "parcel", case, agent=agent)

    assert rendered.subject == f"About case {case.id}"
    assert rendered.body == "Hello Anna,\nit costs $5 to resend. $ signs stay.\nAgnes Agent"
    assert rendered.language == "en"


def test_the_customers_language_is_chosen_and_english_is_the_fallback(session: Session) -> None:
    create_template(session, key="thanks", body="Thank you, $customer_name")
    create_template(session, key="thanks", language="fr", body="Merci, $customer_name")
    d = directory(session)

    french = render_template(d, "thanks", case_for(session, locale="fr-CA"))
    german = render_template(d, "thanks", case_for(session, language="de"))
    case = case_for(session)
    case.language = "fr"

    assert (french.language, french.body) == ("fr", "Merci, Anna Schmidt")
    assert (german.language, german.body) == ("en", "Thank you, Anna Schmidt")
    assert render_template(d, "thanks", case).language == "fr"
    assert [t.language for t in list_templates(session, key="thanks")] == ["en", "fr"]


def test_a_template_with_only_another_language_still_renders(session: Session) -> None:
    create_template(session, key="hallo", language="de", body="Hallo $customer_name")

    assert render_template(directory(session), "hallo", case_for(session)).language == "de"


def test_mistakes_are_caught_when_the_template_is_saved(session: Session) -> None:
    with pytest.raises(ValidationFailed, match=r"unknown variable \$custmer_name") as error:
        create_template(session, key="typo", body="Hello $custmer_name")
    assert error.value.extra["field"] == "body"
    with pytest.raises(ValidationFailed, match="key"):
        create_template(session, key="Not A Key", body="x")
    with pytest.raises(ValidationFailed, match="language"):
        create_template(session, key="k", language="english", body="x")
    create_template(session, key="k", body="x")
    with pytest.raises(Conflict, match="already has"):
        create_template(session, key="k", body="y")
    with pytest.raises(NotFound):
        render_template(directory(session), "missing", case_for(session))
