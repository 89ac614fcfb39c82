"""The OpenAPI schema tells the truth: what it documents is what the API answers, and what it forbids the API refuses.
(tests/test_api_fuzz.py checks the same by generated requests; these pin the cases that were once wrong.)"""

import re
from decimal import Decimal

import pytest
from django.test import override_settings
from rest_framework import serializers

from config.api import StrictJSON, amount_pattern


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operation(openapi, method, path):
    return openapi["paths"][path][method]


def success_codes(openapi, method, path):
    return sorted(code for code in operation(openapi, method, path)["responses"] if code.startswith("2"))


def test_success_codes_are_those_the_api_answers(openapi):
    assert success_codes(openapi, "post", "/api/v1/plans/{plan_id}/submit") == ["202"]
    assert success_codes(openapi, "post", "/api/v1/plans/{plan_id}/lines") == ["201"]
    assert success_codes(openapi, "get", "/api/v1/organizations/{id}/invites") == ["200"]
    assert success_codes(openapi, "post", "/api/v1/organizations/{id}/invites") == ["201"]


def test_request_bodies_are_the_ones_the_views_read(openapi):
    def body(method, path):
        return operation(openapi, method, path)["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    assert body("post", "/api/v1/plans").endswith("/PlanCreateRequest")
    assert body("post", "/api/v1/charter/signatures").endswith("/SignatureCreateRequest")


def test_paginated_lists_are_documented_as_pages(openapi):
    page = operation(openapi, "get", "/api/v1/stale-reports")["responses"]["200"]["content"]["application/json"]
    assert page["schema"]["$ref"].endswith("/PaginatedStaleReportList")
    listings = openapi["components"]["schemas"]["PaginatedListingList"]
    assert "facets" in listings["required"]


def test_fields_written_as_ids_are_documented_as_the_objects_they_are_read_as(openapi):
    schemas = openapi["components"]["schemas"]
    assert schemas["Listing"]["properties"]["organization"]["$ref"].endswith("/OrganizationSummary")
    assert schemas["ListingRequest"]["properties"]["organization"]["type"] == "integer"
    assert schemas["Budget"]["properties"]["client"]["$ref"].endswith("/Person")
    assert schemas["BudgetRequest"]["properties"]["client"]["type"] == "integer"


def test_every_operation_has_its_own_id(openapi):
    ids = [op["operationId"] for ops in openapi["paths"].values() for op in ops.values() if isinstance(op, dict)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_path_answers_json_even_with_debug(client, db, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_the_schema_without_its_slash_still_leads_to_it(client, db):
    response = client.get("/api/v1/schema")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/schema/")


def test_a_json_value_of_the_wrong_type_is_invalid_input(api, client_user):
    assert api(client_user).patch("/api/v1/me", {"name": 0}, format="json").status_code == 400
    assert api(client_user).post("/api/v1/me/erasure", {"reason": 0}, format="json").status_code == 400
    response = api(client_user).patch("/api/v1/me", {"name": "Ann Example"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("page_size", ["null", "0", "-1", "1.5", "AAA"])
def test_a_page_size_that_is_no_whole_number_from_1_is_invalid_input(api, client_user, page_size):
    response = api(client_user).get(f"/api/v1/engagements?page_size={page_size}")
    assert response.status_code == 400
    assert "page_size" in response.json()


class Amounts(StrictJSON, serializers.Serializer):
    rate = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("500"))
    units = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False)


SENT = ["0", "0.0", "0.01", "1", "12.5", "499.99", "500", "500.00", "500.01", "501", "9999.99", "-1", "007", ".5",
        "5.", "+5", " 5", "5e2", "0.001", "", "abc"]  # fmt: skip


@pytest.mark.parametrize("sent", SENT)
def test_an_amount_is_accepted_exactly_when_it_matches_its_documented_pattern(sent):
    for name in ("rate", "units"):
        data = {"rate": "1.00", name: sent}
        pattern = amount_pattern(Amounts().fields[name])
        assert pattern is not None
        assert Amounts(data=data).is_valid() == bool(re.fullmatch(pattern, sent)), (name, sent)


def test_an_amount_must_be_a_string():
    assert not Amounts(data={"rate": 12}).is_valid()
    assert not Amounts(data={"rate": 12.5}).is_valid()


def test_an_unknown_api_path_answers_json_to_a_post_with_a_cookie_but_no_csrf_token(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "anything"
    response = client.post("/api/v1/charter/signatures/1.5/verify")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_an_event_recorded_round_the_services_is_documented_without_an_id(openapi):
    # plans.selectors.plan_events adds the database history's rows, which are no Event and have no id
    assert openapi["components"]["schemas"]["Event"]["properties"]["id"]["nullable"] is True


def _accepted(check, text):
    from config.errors import ServiceError

    try:
        check(text)
    except ServiceError:
        return False
    return True


def _one_line_name(text):
    from brokers.services import _control_characters, _invalid

    if _control_characters(text.strip()):
        raise _invalid("display_name", "one line")


def _non_blank(check):
    from config.errors import ServiceError

    def checked(text):
        if not text.strip():  # DRF refuses a blank value of a field that may not be blank
            raise ServiceError("blank")
        check(text.strip())  # DRF's trim_whitespace

    return checked


# (schema, field, what the API does with the text: DRF's field, then the service's rule)
TEXT_RULES = [
    ("MessageRequest", "body", lambda text: __import__("brokers.services").services._clean_body(text)),
    ("PatchedBrokerMeUpdateRequest", "display_name", _one_line_name),
    ("PatchedListingRequest", "title", _non_blank(lambda text: providers_clean_text("title", text))),
    ("PatchedListingRequest", "description", lambda text: providers_clean_text("description", text.strip())),
    ("PatchedOrganizationRequest", "description", lambda text: providers_clean_text("description", text.strip())),
    ("PatchedOrganizationRequest", "phone", lambda text: providers_clean_text("phone", text.strip())),
]
CHARACTERS = [chr(code) for code in range(0x3100) if not 0xD800 <= code < 0xE000] + ["\ufeff", "\U0001f600"]


def providers_clean_text(name, text):
    from providers.services import _clean_text

    return _clean_text(name, text)


@pytest.mark.parametrize(("schema", "field", "check"), TEXT_RULES, ids=[f"{s}.{f}" for s, f, _ in TEXT_RULES])
def test_a_text_is_accepted_exactly_when_it_matches_its_documented_pattern(openapi, schema, field, check):
    documented_field = openapi["components"]["schemas"][schema]["properties"][field]
    pattern = re.compile(documented_field.get("pattern") or documented_field["oneOf"][0]["pattern"])  # or blank
    for character in CHARACTERS:
        for text in (f"a{character}b", f"{character}a", f"a{character}", character, f" {character} ", ""):
            documented = pattern.search(text) is not None  # JSON Schema's `pattern` is searched for, as here
            assert documented == _accepted(check, text), (schema, field, repr(text))


def test_search_parameters_document_what_the_filters_take(openapi):
    def parameter(path, name):
        return next(p for p in operation(openapi, "get", path)["parameters"] if p["name"] == name)["schema"]

    assert "kent" in parameter("/api/v1/brokers", "area")["enum"]
    assert re.search(parameter("/api/v1/brokers", "max_rate")["pattern"], "32.50")
    assert not re.search(parameter("/api/v1/brokers", "max_rate")["pattern"], "4\x07")
    assert re.search(parameter("/api/v1/listings", "postcode")["pattern"], "ct1 2ab")
    assert re.search(parameter("/api/v1/listings", "postcode")["pattern"], "ME4")
    assert not re.search(parameter("/api/v1/listings", "postcode")["pattern"], "plan")
    assert not re.search(parameter("/api/v1/listings", "max_cost")["pattern"], "empty")
    assert not re.search(parameter("/api/v1/listings", "q")["pattern"], "a\x00")
