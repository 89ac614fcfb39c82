"""The guard in front of decisions: reviewers and admins enrol MFA first, when the setting says so."""

import pytest
from allauth.mfa.models import Authenticator
from django.http import HttpResponse
from django.urls import path, reverse
from django.views import View
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.mfa import (
    MFA_REQUIRED_CODE,
    MFARequiredForDecisions,
    MFARequiredForDecisionsMixin,
    mfa_must_enrol,
    mfa_required_for_decisions,
)
from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@mfa_required_for_decisions
def decide_page(request):
    return HttpResponse("decided")


class DecideClassPage(MFARequiredForDecisionsMixin, View):
    def post(self, request):
        return HttpResponse("decided")


class DecideAPI(APIView):
    permission_classes = [IsAuthenticated, MFARequiredForDecisions]

    def post(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("t/decide-page/", decide_page),
    path("t/decide-class/", DecideClassPage.as_view()),
    path("t/decide-api/", DecideAPI.as_view()),
    path("", __import__("django.urls", fromlist=["include"]).include("config.urls")),
]


@pytest.fixture
def guard_on(settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = True
    settings.ROOT_URLCONF = __name__


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.mark.parametrize(
    ("role", "staff", "must"),
    [
        (Role.CLIENT, False, False),
        (Role.BROKER, False, False),
        (Role.PROVIDER, False, False),
        (Role.REVIEWER, False, True),
        (Role.ADMIN, True, True),
    ],
)
def test_only_reviewers_and_admins_must_enrol(guard_on, role, staff, must):
    user = UserFactory(role=role, is_staff=staff)
    assert mfa_must_enrol(user) is must
    assert mfa_must_enrol(with_mfa(user)) is False


def test_staff_with_another_role_must_enrol_too(guard_on):
    assert mfa_must_enrol(UserFactory(role=Role.CLIENT, is_staff=True)) is True


def test_the_guard_is_off_unless_the_setting_is_on(settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = False
    assert mfa_must_enrol(UserFactory(role=Role.REVIEWER)) is False


def test_anonymous_people_are_not_sent_to_enrol(guard_on):
    from django.contrib.auth.models import AnonymousUser

    assert mfa_must_enrol(AnonymousUser()) is False


@pytest.mark.parametrize("url", ["/t/decide-page/", "/t/decide-class/"])
def test_pages_send_a_reviewer_without_mfa_to_enrol_with_a_reason(guard_on, client, url):
    client.force_login(UserFactory(role=Role.REVIEWER))
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    shown = client.get(reverse("dashboard")).content.decode()
    assert "must set up an authenticator app before they decide anything" in shown


@pytest.mark.parametrize("url", ["/t/decide-page/", "/t/decide-class/"])
def test_pages_let_a_reviewer_with_mfa_decide(guard_on, client, url):
    client.force_login(with_mfa(UserFactory(role=Role.REVIEWER)))
    response = client.post(url)
    assert response.status_code == 200 and response.content == b"decided"


@pytest.mark.parametrize("url", ["/t/decide-page/", "/t/decide-class/"])
def test_pages_let_everyone_decide_when_the_guard_is_off(settings, client, url):
    settings.ROOT_URLCONF = __name__
    settings.MFA_REQUIRED_FOR_DECISIONS = False
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    assert client.post(url).status_code == 200


@pytest.mark.parametrize(("role", "staff"), [(Role.REVIEWER, False), (Role.ADMIN, True)])
def test_the_api_answers_403_mfa_required_to_deciders_without_mfa(guard_on, api, role, staff):
    response = api(UserFactory(role=role, is_staff=staff)).post("/t/decide-api/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == MFA_REQUIRED_CODE
    assert "authenticator app" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.CLIENT, Role.BROKER, Role.PROVIDER])
def test_the_api_lets_other_roles_through_to_their_own_checks(guard_on, api, role):
    assert api(UserFactory(role=role)).post("/t/decide-api/", {}, format="json").status_code == 200


def test_the_api_lets_a_reviewer_with_mfa_decide(guard_on, api):
    assert api(with_mfa(UserFactory(role=Role.REVIEWER))).post("/t/decide-api/", {}, format="json").status_code == 200


def test_the_api_still_answers_401_to_anonymous(guard_on, api):
    assert api().post("/t/decide-api/", {}, format="json").status_code == 401


def test_the_api_lets_a_reviewer_decide_when_the_guard_is_off(settings, api):
    settings.ROOT_URLCONF = __name__
    settings.MFA_REQUIRED_FOR_DECISIONS = False
    assert api(UserFactory(role=Role.REVIEWER)).post("/t/decide-api/", {}, format="json").status_code == 200
