"""Reviewers may read the engagements of clients whose submitted plan they can see, and nothing more."""

import pytest

from brokers.models import Engagement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def engagement_of(plan) -> Engagement:
    return Engagement.objects.get(client=plan.client, broker=plan.broker)


def test_reviewer_sees_no_engagement_before_submission(api, plan, reviewer_user):
    assert api(reviewer_user).get("/api/v1/engagements").json()["count"] == 0
    assert api(reviewer_user).get(f"/api/v1/engagements/{engagement_of(plan).pk}").status_code == 404


def test_reviewer_reads_the_engagement_once_the_plan_is_submitted(api, submitted_plan, reviewer_user):
    engagement = engagement_of(submitted_plan)
    other = UserFactory(role="reviewer")
    for reviewer in (reviewer_user, other):
        listing = api(reviewer).get("/api/v1/engagements").json()
        assert [item["id"] for item in listing["results"]] == [engagement.pk]
        assert api(reviewer).get(f"/api/v1/engagements/{engagement.pk}").status_code == 200


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw", "end"])
def test_reviewer_cannot_act_on_the_engagement(api, submitted_plan, reviewer_user, action):
    engagement = engagement_of(submitted_plan)
    response = api(reviewer_user).post(f"/api/v1/engagements/{engagement.pk}/{action}")
    assert response.status_code == 403
    engagement.refresh_from_db()
    assert engagement.status == "active"


def test_reviewer_cannot_post_into_the_conversation(api, submitted_plan, reviewer_user):
    engagement = engagement_of(submitted_plan)
    response = api(reviewer_user).post(f"/api/v1/engagements/{engagement.pk}/messages", {"body": "hi"}, format="json")
    assert response.status_code in (403, 404)
    assert not engagement.messages.filter(sender=reviewer_user).exists()


def test_other_roles_still_cannot_see_it(api, submitted_plan):
    engagement = engagement_of(submitted_plan)
    for role in ("client", "broker", "provider"):
        assert api(UserFactory(role=role)).get(f"/api/v1/engagements/{engagement.pk}").status_code == 404


def test_reviewer_cannot_read_the_conversation(api, submitted_plan, reviewer_user):
    engagement = engagement_of(submitted_plan)
    assert api(reviewer_user).get(f"/api/v1/engagements/{engagement.pk}/messages").status_code == 403
    assert api(submitted_plan.client).get(f"/api/v1/engagements/{engagement.pk}/messages").status_code == 200
