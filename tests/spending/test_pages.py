"""The spending pages through Django's test client, as a browser without JavaScript: who may open what, uploading
(with clear errors), an import's progress, matching by hand, the chart against its table, the inclusion tags."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client

from spending import services
from spending.models import Statement, Transaction
from spending.tasks import import_statement
from tests.spending.conftest import read
from tests.spending.test_imports import large_statement

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser


@pytest.fixture
def imported(client_user, plan):
    return services.statement_upload(
        plan=plan, by=client_user, file_name="kent_card.csv", content=read("kent_card.csv")
    )


PAGE_ACCESS = {
    # who: spending page, a statement's page, a payment's match page
    "client": (200, 200, 200),
    "broker": (200, 200, 200),
    "reviewer": (200, 200, 403),  # KMPT sees the spending, but matching is the client's and broker's
    "other_client": (404, 404, 404),
    "other_broker": (404, 404, 404),
    "provider": (404, 404, 404),
    "admin": (404, 404, 404),
}


@pytest.mark.parametrize("who", PAGE_ACCESS)
def test_who_may_open_the_spending_pages(people, plan, imported, who):
    payment = Transaction.objects.filter(plan=plan).first()
    browser = as_user(people[who])
    statuses = tuple(
        browser.get(url).status_code
        for url in (
            f"/plans/{plan.pk}/spending/",
            f"/plans/{plan.pk}/spending/statements/{imported.pk}/",
            f"/plans/{plan.pk}/spending/payments/{payment.pk}/",
        )
    )
    assert statuses == PAGE_ACCESS[who]


def test_anonymous_people_are_sent_to_log_in(plan):
    response = as_user(None).get(f"/plans/{plan.pk}/spending/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["other_client", "provider", "reviewer"])
def test_only_those_who_may_upload_see_the_form_and_can_post(people, plan, who):
    expected = {"other_client": 404, "provider": 404, "reviewer": 302}[who]
    response = as_user(people[who]).post(
        f"/plans/{plan.pk}/spending/statements/", {"file": SimpleUploadedFile("k.csv", read("kent_card.csv"))}
    )
    assert response.status_code == expected


def test_a_broker_whose_engagement_ended_cannot_upload_through_the_page(ended_broker):
    response = as_user(ended_broker["broker"]).post(
        f"/plans/{ended_broker['plan'].pk}/spending/statements/",
        {"file": SimpleUploadedFile("k.csv", read("kent_card.csv"))},
    )
    assert response.status_code in (403, 404)
    page = as_user(ended_broker["broker"]).get(f"/plans/{ended_broker['plan'].pk}/spending/")
    assert 'id="add-statement"' not in page.content.decode()
    assert not Statement.objects.exists()


def test_a_broker_whose_engagement_ended_cannot_see_the_spending_page(ended_broker):
    assert as_user(ended_broker["broker"]).get(f"/plans/{ended_broker['plan'].pk}/spending/").status_code == 404


def test_the_client_uploads_a_statement_and_sees_what_came_in(client_user, plan):
    browser = as_user(client_user)
    page = browser.get(f"/plans/{plan.pk}/spending/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Add a statement" in page

    response = browser.post(
        f"/plans/{plan.pk}/spending/statements/", {"file": SimpleUploadedFile("kent_card.csv", read("kent_card.csv"))}
    )
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/spending/statements/{statement.pk}/"
    result = browser.get(response["Location"]).content.decode()
    assert re.search(r'data-count="imported">12<', result)
    assert re.search(r'data-count="duplicates">0<', result)
    assert re.search(r'data-count="rejected">2<', result)
    assert "The date “31/02/2026” is not a date" in result
    assert "hx-get" not in result  # done: nothing to poll

    spending = browser.get(f"/plans/{plan.pk}/spending/").content.decode()
    assert "Payments to look at" in spending
    assert "2 payments look like something a personal budget cannot pay for" in spending
    assert "This was paid to a place the card company lists as gambling." in spending
    assert "Only you and your broker have been told." in spending
    assert "kent_card.csv" in spending


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Choose a statement file to upload"),
        (b"", "The file is empty. Download the statement again and choose that file"),
        (b"%PDF-1.4 a pdf", "This is not a CSV or OFX statement: it looks like a spreadsheet, PDF or picture."),
        (b"Hello\nWorld\n", "We could not find the header row."),
    ],
)
def test_a_bad_upload_shows_a_clear_error_on_the_form(client_user, plan, content, message):
    data = {} if content is None else {"file": SimpleUploadedFile("statement.csv", content)}
    response = as_user(client_user).post(f"/plans/{plan.pk}/spending/statements/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert 'class="nhsuk-form-group nhsuk-form-group--error"' in page
    assert 'href="#id_file"' in page  # the error summary links to the field
    assert not Statement.objects.exists()


def test_a_plan_not_yet_approved_has_no_spending_yet(client_user, plan_draft):
    browser = as_user(client_user)
    page = browser.get(f"/plans/{plan_draft.pk}/spending/").content.decode()
    assert "Spending starts once KMPT has approved the plan." in page
    response = browser.post(
        f"/plans/{plan_draft.pk}/spending/statements/", {"file": SimpleUploadedFile("k.csv", read("kent_card.csv"))}
    )
    assert response.status_code == 403
    assert not Statement.objects.exists()


def test_a_large_upload_shows_its_progress_and_works_without_javascript(
    client_user, plan, django_capture_on_commit_callbacks
):
    browser = as_user(client_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = browser.post(
            f"/plans/{plan.pk}/spending/statements/", {"file": SimpleUploadedFile("big.csv", large_statement(2_100))}
        )
    statement = Statement.objects.get()
    page = browser.get(response["Location"]).content.decode()
    assert "Adding the payments" in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page  # without JavaScript
    assert f'hx-get="/plans/{plan.pk}/spending/statements/{statement.pk}/progress/?since=0"' in page  # with it
    assert '<progress id="statement-progress-bar"' in page
    progress = f"/plans/{plan.pk}/spending/statements/{statement.pk}/progress/"
    assert browser.get(progress + "?since=0").status_code == 204  # nothing has moved yet

    import_statement(statement.pk)
    done = browser.get(progress + "?since=0")
    assert done.status_code == 200
    assert 'data-status="done"' in done.content.decode()
    assert "hx-get" not in done.content.decode()
    assert re.search(r'data-count="imported">2100<', browser.get(response["Location"]).content.decode())


def test_matching_a_payment_by_hand_without_javascript(broker_user, plan, imported, lines):
    tesco = Transaction.objects.get(plan=plan, description="TESCO STORES 2231 CANTERBURY")
    browser = as_user(broker_user)
    url = f"/plans/{plan.pk}/spending/payments/{tesco.pk}/"
    page = browser.get(url).content.decode()
    assert "What does this payment pay for?" in page
    assert "Open studio art group (Thanet Arts Hub)" in page
    assert "None of these: it is not for anything in the plan" in page

    refused = browser.post(url, {})
    assert "Choose what this payment pays for, or none of these" in refused.content.decode()

    art = lines["Thanet Arts Hub"]
    response = browser.post(url, {"line": str(art.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/spending/#payments"
    tesco.refresh_from_db()
    assert (tesco.line, tesco.match_source, tesco.flags) == (art, "by_hand", [])
    assert "(matched by hand)" in browser.get(f"/plans/{plan.pk}/spending/").content.decode()

    browser.post(url, {"line": "none"})
    tesco.refresh_from_db()
    assert (tesco.line, tesco.match_source) == (None, "by_hand")


class ChartReader(HTMLParser):
    """The numbers in the chart's SVG and in the table beside it."""

    def __init__(self):
        super().__init__()
        self.dots, self.rows, self.svg, self.row = [], [], {}, None
        self.in_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and attrs.get("data-testid") == "burn-down-svg":
            self.svg = attrs
        if tag == "circle" and "data-left" in attrs:
            self.dots.append((attrs["data-date"], attrs["data-left"], attrs["data-planned-left"]))
        if tag == "table" and attrs.get("data-testid") == "burn-down-table":
            self.in_table = True
        if self.in_table and tag == "tr" and "data-date" in attrs:
            self.row = {"date": attrs["data-date"]}
            self.rows.append(self.row)
        if self.in_table and tag == "td" and self.row is not None:
            for key in ("data-left", "data-planned-left"):
                if key in attrs:
                    self.row[key] = attrs[key]

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False


def test_the_chart_s_numbers_are_the_table_s_numbers(client_user, plan, imported):
    page = as_user(client_user).get(f"/plans/{plan.pk}/spending/").content.decode()
    reader = ChartReader()
    reader.feed(page)

    assert reader.svg["role"] == "img"
    title, desc = reader.svg["aria-labelledby"].split()
    assert f'<title id="{title}">' in page and f'<desc id="{desc}">' in page
    assert len(reader.rows) >= 13  # the start and the end of each month (and today, within the year)
    table = [(row["date"], row.get("data-left"), row["data-planned-left"]) for row in reader.rows]
    assert reader.dots == [row for row in table if row[1] is not None]
    assert reader.dots[0] == ("2026-01-05", "2000.00", "2000.00")
    assert table[-1][0] == "2027-01-04" and table[-1][2] == "0.00"
    # Left at the end of the first month (to 4 February): the budget less art 5 times, yoga 3 times less a refund,
    # Tesco and the bet.
    first_month = next(row for row in reader.rows if row["date"] == "2026-02-04")
    assert first_month["data-left"] == f"{2000 - (5 * 8.5 + 12 + 14.37 + 10):.2f}"
    # The text alternative says the same as the last known point.
    assert "The solid line is what is actually left" in page


def test_the_spending_page_shows_each_line_planned_spent_and_left(client_user, plan, imported, lines):
    page = as_user(client_user).get(f"/plans/{plan.pk}/spending/").content.decode()
    art = lines["Thanet Arts Hub"]
    row = re.search(rf'<tr class="nhsuk-table__row" data-line="{art.pk}">(.*?)</tr>', page, re.S).group(1)
    assert 'data-spent="42.50"' in row
    assert "£399.50" in row  # £442 a year less £42.50
    assert 'data-testid="total-spent">£91.86<' in page
    assert 'data-testid="total-left">£1,908.14<' in page


def test_the_spending_page_takes_a_fixed_number_of_queries(client_user, plan, imported, django_assert_max_num_queries):
    browser = as_user(client_user)
    with django_assert_max_num_queries(12):  # 9 today: session, person, plan, lines, decisions, figures, page
        assert browser.get(f"/plans/{plan.pk}/spending/").status_code == 200


def test_the_reviewer_goes_back_to_the_review_page(reviewer_user, plan):
    page = as_user(reviewer_user).get(f"/plans/{plan.pk}/spending/").content.decode()
    assert f'href="/reviews/{plan.pk}/">Back to the plan' in page
    assert "The client and their broker are told first." not in page  # nothing flagged yet


def test_the_inclusion_tags_for_the_plan_pages_and_the_pdf(plan, imported, reviewer_user):
    from tests.plans.factories import PlanFactory

    plan_draft = PlanFactory(budget__recorded_by=reviewer_user)
    summary = Template("{% load spending_tags %}{% spending_summary plan %}")
    assert 'data-testid="summary-spent">£91.86 of £2,000.00<' in summary.render(Context({"plan": plan}))
    assert 'data-testid="summary-flagged">3<' in summary.render(Context({"plan": {"id": plan.pk}}))  # a snapshot
    chart = Template("{% load spending_tags %}{% spending_chart plan %}")
    rendered = chart.render(Context({"plan": {"id": plan.pk, "lines": []}}))
    assert 'role="img"' in rendered and "<table" in rendered
    assert "<a " not in rendered and "<script" not in rendered  # fit for the PDF
    assert summary.render(Context({"plan": plan_draft})).strip() == ""  # not approved: nothing to show
    assert chart.render(Context({"plan": {"id": 0}})).strip() == ""


def test_the_chart_renders_in_a_pdf(plan, imported):
    """What the plan's PDF will include: WeasyPrint draws the SVG and the table from the frozen snapshot's id."""
    import io

    from pypdf import PdfReader
    from weasyprint import HTML

    html = Template("{% load spending_tags %}<html><body>{% spending_chart plan %}</body></html>").render(
        Context({"plan": {"id": plan.pk}})
    )
    text = PdfReader(io.BytesIO(HTML(string=html).write_pdf())).pages[0].extract_text()
    assert "The chart's numbers" in text
    assert "£1,908.14" in text
