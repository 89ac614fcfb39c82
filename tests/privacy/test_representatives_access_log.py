"""What a representative reads is in the client's access log as read by them, for the client (`on_behalf_of`);
and the people-i-help page shows each helper only what their scope allows."""

import pytest
from django.test import Client

from accounts.services import representative_accept, representative_invite
from audit.models import AccessLog
from plans.models import Budget
from tests.factories import UserFactory
from tests.spending.conftest import approve

pytestmark = pytest.mark.django_db


def helper_of(client, scope, name="Sam Taylor"):
    carer = UserFactory(name=name)
    rep = representative_invite(by=client, email=carer.email, name=name, relationship="carer", scope=scope)
    representative_accept(representative=rep, by=carer)
    return carer


def as_user(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def rows(record):
    return set(AccessLog.objects.filter(record=record).values_list("who", "person", "on_behalf_of", "record_id"))


@pytest.fixture
def approved(plan, reviewer_user):
    return approve(plan, reviewer_user)


@pytest.mark.parametrize(
    "path", ["/api/v1/plans/{pk}/spending", "/api/v1/plans/{pk}/statements", "/api/v1/plans/{pk}/transactions"]
)
def test_a_representatives_reads_of_spending_through_the_api_are_logged_for_the_client(
    api, approved, client_user, broker_user, path
):
    carer = helper_of(client_user, ["view"])
    assert api(carer).get(path.format(pk=approved.pk)).status_code == 200
    assert api(broker_user).get(path.format(pk=approved.pk)).status_code == 200
    assert rows("statement") == {
        (carer.pk, client_user.pk, client_user.pk, approved.pk),  # the carer, for the client
        (broker_user.pk, client_user.pk, None, approved.pk),  # the broker, as themself
    }


def test_a_representatives_reads_of_the_spending_page_are_logged_for_the_client(approved, client_user, broker_user):
    carer = helper_of(client_user, ["view"])
    assert as_user(carer).get(f"/plans/{approved.pk}/spending/").status_code == 200
    assert as_user(broker_user).get(f"/plans/{approved.pk}/spending/").status_code == 200
    assert rows("statement") == {
        (carer.pk, client_user.pk, client_user.pk, approved.pk),
        (broker_user.pk, client_user.pk, None, approved.pk),
    }


def test_the_people_i_help_page_logs_the_budget_and_plans_it_shows(plan, client_user):
    carer = helper_of(client_user, ["view"])
    budget = Budget.objects.get(client=client_user)
    html = as_user(carer).get("/people-i-help/").content.decode()
    assert "Their personal budget" in html and f"/plans/{plan.pk}/" in html
    assert rows("budget") == {(carer.pk, client_user.pk, client_user.pk, budget.pk)}
    assert rows("plan") == {(carer.pk, client_user.pk, client_user.pk, plan.pk)}


def test_a_helper_who_may_only_message_is_shown_nothing_they_cannot_open(plan, client_user):
    messenger = helper_of(client_user, ["message"], name="Lee Carer")
    html = as_user(messenger).get("/people-i-help/").content.decode()
    assert client_user.name in html  # they still see whom they help, and what they may do
    assert "Their personal budget" not in html and f"/plans/{plan.pk}/" not in html
    assert "Their conversations with brokers" not in html and 'href="/engagements/"' not in html
    assert "They have no plan yet" not in html  # not true: they have one the helper may not see
    assert "You cannot see their plan, budget or conversations with brokers" in html
    assert not AccessLog.objects.exists()


def test_a_helper_who_may_view_is_shown_the_conversations(plan, client_user):
    reader = helper_of(client_user, ["view"])
    assert "Their conversations with brokers" in as_user(reader).get("/people-i-help/").content.decode()
