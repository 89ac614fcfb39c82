"""The contract: every list is paginated (`count`, `next`, `previous`, `results`), only categories are a plain list."""

import pytest

from tests.plans.factories import LineFactory

pytestmark = pytest.mark.django_db


def test_a_plans_lines_are_a_paginated_list_in_line_order(api, plan, broker_user, client_user):
    for n in range(2, 5):
        LineFactory(plan=plan, description=f"Line {n}")
    url = f"/api/v1/plans/{plan.pk}/lines"
    body = api(broker_user).get(url, {"page_size": 3}).json()
    assert body["count"] == 4 and body["previous"] is None and body["next"]
    assert [row["id"] for row in body["results"]] == sorted(row["id"] for row in body["results"])
    assert len(body["results"]) == 3
    second = api(client_user).get(url, {"page_size": 3, "page": 2}).json()
    assert [row["description"] for row in second["results"]] == ["Line 4"]
    assert api(client_user).get(url, {"page_size": "many"}).status_code == 400
