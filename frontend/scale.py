"""The whole service at national scale, for benchmarks and EXPLAIN only (`manage.py seed_scale`): brokers with
profiles and charter signatures, provider organisations and listings (`providers.scale`), clients with engagements,
messages, budgets, plans in every state with their lines, frozen versions, decisions, audit events, notifications and
access-log rows. Rows are made in Python with a fixed random seed and written with COPY, triggers off (PostgreSQL's
replica mode: no pghistory rows for made-up data, which the history tables would otherwise double), so the issue's
sizes take minutes, not hours. Every frozen version and shared record is built by the same code the services use
(`plans.record`, `plans.checks`), so digests match and agreed plans can really be submitted.

Known people, all with the password `SCALE_PASSWORD`: `broker1@scale.example.org` (the busiest broker),
`reviewer1@...`, `provider1@...`, `client1@...`, `admin@...`, and `fifty-lines@...` (a client whose draft plan has 50
lines, for timing the check).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from config.choices import Area
from plans import record
from plans.checks import LineData, PlanData, check_plan
from plans.councils import ROUTES_BY_COUNCIL
from plans.models import PENNY, annual_cost

SCALE_PASSWORD = "scale-pass-123"
DOMAIN = "scale.example.org"
FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Pat",
    "Robin",
    "Jamie",
    "Morgan",
    "Taylor",
    "Charlie",
    "Ali",
    "Priya",
    "Fatima",
    "Tom",
    "Ellie",
    "Grace",
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "Noah",
    "Ava",
    "Leo",
    "Mia",
    "Kwame",
    "Aisha",
    "Ewan",
    "Niamh",
    "Dylan",
    "Zara",
    "Ravi",
    "Sophie",
    "Callum",
    "Maya",
    "Owen",
    "Ruby",
]
LAST = [
    "Walker",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Patel",
    "Khan",
    "Hughes",
    "Green",
    "Wood",
    "Hall",
    "Clarke",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "Ward",
    "Turner",
    "Hill",
    "Moore",
    "Ahmed",
    "Begum",
    "Okafor",
    "Murphy",
    "Kelly",
    "Price",
    "Bennett",
]
SPECIALISMS = [
    "mental_health",
    "dual_diagnosis",
    "autism",
    "learning_disability",
    "older_people",
    "carers",
    "employment",
]
LANGUAGES = ["en", "pl", "pa", "gu", "ur", "bn", "tr", "ro", "ne", "cy"]
BIO = [
    "I help people in {town} plan how to spend their personal budget on things that matter to them.",
    "Independent support broker with {years} years of experience in mental health social care.",
    "I worked as a community mental health nurse before becoming a broker.",
    "I know the local groups, classes and clubs well and can help you try something new.",
    "Plain English, no jargon: we go at your pace and you stay in charge of your plan.",
    "I can meet you at home, in a café or online, whatever suits you.",
    "I have lived experience of depression and recovery.",
    "Specialist in helping people back into work, training or volunteering.",
]
TOWNS = [
    "Canterbury",
    "Margate",
    "Dover",
    "Folkestone",
    "Ashford",
    "Maidstone",
    "Chatham",
    "Gravesend",
    "Dartford",
    "Sevenoaks",
    "Tonbridge",
    "Tunbridge Wells",
    "Sittingbourne",
    "Whitstable",
    "Deal",
]
MESSAGES = [
    "Hello, I would like some help planning how to use my budget.",
    "Thanks for getting in touch. When would suit you to meet?",
    "Could we meet on Tuesday morning at the library?",
    "I have found a walking group near you that meets on Thursdays.",
    "That sounds good. Can my sister come along to the next meeting?",
    "I have added the art class to your plan. Have a look when you can.",
    "Is the gym membership monthly or yearly?",
    "Your plan has been sent to KMPT. I will let you know when I hear back.",
    "Sorry, I need to move our meeting to next week.",
    "The yoga class was lovely, thank you for suggesting it.",
]
SUMMARIES = [
    "Getting out of the house more and meeting people, with activities I enjoy.",
    "Building my confidence and routine so I can look for work again.",
    "Staying well at home and keeping in touch with friends and family.",
    "Being more active and sleeping better, with some help to get there.",
]
OUTCOME_WORDS = {
    "community_and_recreation": "Going to a class or group every week, and getting there on my own.",
    "relationships": "Seeing friends again and not feeling so alone.",
    "work_education_volunteering": "Starting a course or some volunteering.",
    "nutrition": "Cooking proper meals for myself.",
    "home_safety": "Feeling safe and calm at home.",
    "habitable_home": "Keeping my flat in a state I am happy with.",
    "hygiene": "Keeping up my routine in the mornings.",
    "clothing": "Having the right clothes for the weather and for activities.",
}
PLAN_OUTCOMES = list(OUTCOME_WORDS)
NOTIFICATION_TEXT = {
    "approved": "Your plan has been approved by KMPT.",
    "declined": "KMPT has declined the plan.",
    "changes_requested": "KMPT has asked for changes to the plan.",
    "review_started": "The plan is now being reviewed by KMPT.",
    "plan_submitted": "The plan has been sent to KMPT.",
}


class Row(SimpleNamespace):
    """A budget, plan, line or listing in memory, with the attributes `plans.record` reads (models cost 10x more)."""


@dataclass
class Sizes:
    brokers: int = 10_000
    listings: int = 100_000
    organizations: int = 4_000
    clients: int = 64_000
    plans: int = 100_000
    messages: int = 110_000
    reviewers: int = 60
    ready: int = 2_000  # draft plans shared and agreed, ready to submit (the workflow benchmark: 1,000 twice)


@dataclass
class Ids:
    """Explicit primary keys: the tables are empty, so the seeder numbers rows itself and COPY needs no RETURNING."""

    counters: dict[str, int] = field(default_factory=dict)

    def next(self, table: str) -> int:
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with connection.cursor() as cursor:
        quoted = ", ".join(f'"{column}"' for column in columns)
        with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _reset_sequences(tables: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"  # noqa: S608
            )


class Seeder:
    def __init__(self, sizes: Sizes, *, log: Any = print) -> None:
        self.sizes = sizes
        self.random = random.Random(19)
        self.ids = Ids()
        self.log = log
        self.now = timezone.now()
        self.password = make_password(SCALE_PASSWORD)  # one hash for every account: one PBKDF2, not 80,000
        self.users: list[tuple] = []

    # --- people ---------------------------------------------------------------------------------------------------

    def _name(self) -> str:
        return f"{self.random.choice(FIRST)} {self.random.choice(LAST)}"

    def _user(self, role: str, email: str, name: str, *, staff: bool = False) -> int:
        pk = self.ids.next("accounts_user")
        joined = self.now - datetime.timedelta(days=self.random.randint(1, 900))
        self.users.append((pk, self.password, staff, staff, True, joined, email, name, role))
        return pk

    def _people(self) -> None:
        sizes = self.sizes
        self.admin = self._user("admin", f"admin@{DOMAIN}", "Scale Admin", staff=True)
        self.reviewers = [
            self._user("reviewer", f"reviewer{n}@{DOMAIN}", self._name()) for n in range(1, sizes.reviewers + 1)
        ]
        self.brokers = [self._user("broker", f"broker{n}@{DOMAIN}", self._name()) for n in range(1, sizes.brokers + 1)]
        self.clients = [self._user("client", f"client{n}@{DOMAIN}", self._name()) for n in range(1, sizes.clients + 1)]
        self.fifty = self._user("client", f"fifty-lines@{DOMAIN}", "Fifty Lines")
        self.providers = [
            self._user("provider", f"provider{n}@{DOMAIN}", self._name()) for n in range(1, sizes.organizations + 1)
        ]
        columns = ["id", "password", "is_superuser", "is_staff", "is_active", "date_joined", "email", "name", "role"]
        copy_rows("accounts_user", columns, self.users)
        copy_rows(
            "account_emailaddress",
            ["id", "user_id", "email", "verified", "primary"],
            ((row[0], row[0], row[6], True, True) for row in self.users),
        )
        self.log(f"{len(self.users)} people")

    # --- brokers --------------------------------------------------------------------------------------------------

    def _brokers(self) -> None:
        from brokers.services import broker_listing_refresh
        from charter import demo as charter_demo
        from charter.selectors import charter_current

        charter_demo.seed()
        charter = charter_current()
        assert charter is not None, "the charter's migration publishes version 1"
        attestations = Jsonb({principle.key: True for principle in charter.principles.all()})
        districts = [area.value for area in Area if area != Area.KENT]
        profiles, signatures = [], []
        self.listed_brokers = []
        for index, pk in enumerate(self.brokers):
            complete = index % 50 != 49  # 2 % never finished their profile
            bio = " ".join(self.random.sample(BIO, 3)).format(
                town=self.random.choice(TOWNS), years=self.random.randint(2, 25)
            )
            areas = ["kent"] if index % 7 == 0 else self.random.sample(districts, self.random.randint(1, 3))
            languages = ["en", *self.random.sample(LANGUAGES[1:], 1)] if index % 6 == 0 else ["en"]
            name = self.users[pk - 1][7]
            profiles.append(
                (
                    pk,
                    name,
                    bio if complete else "",
                    areas,
                    self.random.sample(SPECIALISMS, self.random.randint(1, 3)),
                    languages,
                    Decimal(self.random.randint(2000, 6000)) / 100,
                    index % 8 != 7,
                    self.now,
                    self.now,
                    False,
                    0,
                )
            )
            state = "verified" if index % 100 < 93 else ("pending" if index % 100 < 97 else "suspended")
            if index % 100 == 99:
                continue  # 1 % signed nothing
            signed = self.now - datetime.timedelta(days=self.random.randint(30, 600))
            signatures.append(
                (
                    self.ids.next("charter_signature"),
                    state,
                    attestations,
                    signed,
                    signed + datetime.timedelta(days=3) if state != "pending" else None,
                    signed + datetime.timedelta(days=90) if state == "suspended" else None,
                    "A concern was upheld." if state == "suspended" else "",
                    pk,
                    charter.pk,
                    self.admin if state == "suspended" else None,
                    self.admin if state != "pending" else None,
                )
            )
            if state == "verified" and complete:
                self.listed_brokers.append(pk)
        copy_rows(
            "brokers_brokerprofile",
            [
                "user_id",
                "display_name",
                "bio",
                "areas",
                "specialisms",
                "languages",
                "hourly_rate",
                "accepting_clients",
                "created_at",
                "updated_at",
                "listed",
                "rating_count",
            ],
            profiles,
        )
        copy_rows(
            "charter_signature",
            [
                "id",
                "status",
                "attestations",
                "signed_at",
                "verified_at",
                "suspended_at",
                "suspension_reason",
                "broker_id",
                "charter_id",
                "suspended_by_id",
                "verified_by_id",
            ],
            signatures,
        )
        broker_listing_refresh()
        self.log(f"{len(profiles)} brokers, {len(self.listed_brokers)} listed")

    # --- providers ------------------------------------------------------------------------------------------------

    def _providers(self) -> None:
        from providers import scale

        scale.seed(organizations=self.sizes.organizations, listings=self.sizes.listings)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM providers_organization ORDER BY id")
            organizations = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                """SELECT l.id, l.title, l.category, l.cost, l.organization_id, o.name FROM providers_listing l
                JOIN providers_organization o ON o.id = l.organization_id
                WHERE l.status = 'published' AND o.verified_at IS NOT NULL AND l.cost > 0 ORDER BY l.id"""
            )
            self.listings = cursor.fetchall()
        copy_rows(
            "providers_membership",
            ["organization_id", "user_id", "created_at"],
            ((org, user, self.now) for org, user in zip(organizations, self.providers, strict=False)),
        )
        self.log(f"{len(organizations)} organisations, {self.sizes.listings} listings ({len(self.listings)} usable)")

    # --- clients: engagements, messages, feedback -----------------------------------------------------------------

    def _busy_broker(self) -> int:
        """Skewed like real caseloads: the first listed broker has a few hundred clients, most have a handful."""
        listed = self.listed_brokers
        return listed[min(len(listed) - 1, int(len(listed) * self.random.random() ** 1.7))]

    def _engagements(self) -> None:
        rows, self.broker_of, feedback, messages = [], {}, [], []
        open_engagements = []
        for index, client in enumerate([*self.clients, self.fifty]):
            broker = self.listed_brokers[0] if client in (self.clients[0], self.fifty) else self._busy_broker()
            roll = index % 100
            status = "active" if roll < 82 or client == self.fifty else ("requested" if roll < 90 else "ended")
            created = self.now - datetime.timedelta(days=self.random.randint(20, 800))
            pk = self.ids.next("brokers_engagement")
            accepted = created + datetime.timedelta(days=2) if status != "requested" else None
            ended = created + datetime.timedelta(days=300) if status == "ended" else None
            rows.append((pk, status, created, created, accepted, ended, broker, client))
            if status == "active":
                self.broker_of[client] = (broker, pk, created)
            open_engagements.append((pk, client, broker, created))
            if status != "requested" and self.random.random() < 0.3:
                feedback.append((pk, self.random.choice([3, 4, 4, 5, 5, 5]), "Really helpful.", created))
        for _ in range(self.sizes.messages):
            engagement, client, broker, created = self.random.choice(open_engagements)
            sender = client if self.random.random() < 0.5 else broker
            sent = created + datetime.timedelta(minutes=self.random.randint(1, 20 * 24 * 60))
            read = sent + datetime.timedelta(hours=3) if sent < self.now - datetime.timedelta(days=1) else None
            messages.append((engagement, sender, self.random.choice(MESSAGES), sent, read))
        copy_rows(
            "brokers_engagement",
            ["id", "status", "created_at", "updated_at", "accepted_at", "ended_at", "broker_id", "client_id"],
            rows,
        )
        messages.sort(key=lambda row: row[3])
        copy_rows("brokers_message", ["engagement_id", "sender_id", "body", "sent_at", "read_at"], messages)
        copy_rows("brokers_feedback", ["engagement_id", "rating", "text", "created_at"], feedback)
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE brokers_brokerprofile p SET rating_average = r.average, rating_count = r.count
                FROM (SELECT e.broker_id, round(avg(f.rating), 2) AS average, count(*) AS count
                      FROM brokers_feedback f JOIN brokers_engagement e ON e.id = f.engagement_id
                      GROUP BY e.broker_id) r
                WHERE p.user_id = r.broker_id"""
            )
        self.log(f"{len(rows)} engagements, {len(messages)} messages, {len(feedback)} ratings")

    # --- plans ----------------------------------------------------------------------------------------------------

    def _plan_statuses(self, count: int) -> list[str]:
        """Earlier plans were decided; the newest is open (draft, in KMPT's queue, sent back) or decided."""
        earlier = [
            self.random.choice(["approved", "approved", "approved", "declined", "withdrawn"]) for _ in range(count - 1)
        ]
        roll = self.random.random()
        if roll < 0.25:
            last = "draft"
        elif roll < 0.26:
            last = "submitted"
        elif roll < 0.38:
            last = "in_review"
        elif roll < 0.41:
            last = "changes_requested"
        else:
            last = self.random.choice(["approved"] * 8 + ["declined", "withdrawn"])
        return [*earlier, last]

    def _lines_for(self, outcomes: list[str], count: int) -> list[Row]:
        lines = []
        for position in range(count):
            covers = [outcomes[position % len(outcomes)]]
            if position == count - 1:
                covers = list(outcomes) if count == 1 else [*covers, outcomes[-1]]
            pk = self.ids.next("plans_planline")
            if self.random.random() < 0.85:
                listing_id, title, category, cost, org_id, org_name = self.random.choice(self.listings)
                organization = Row(pk=org_id, name=org_name)
                line = Row(
                    pk=pk,
                    description=title,
                    category=category,
                    listing_id=listing_id,
                    listing=Row(pk=listing_id, title=title, organization_id=org_id, organization=organization),
                    unit_cost=cost.quantize(PENNY),
                    units=Decimal("1.00"),
                    frequency=self.random.choice(["weekly", "weekly", "monthly"]),
                    outcomes=sorted(set(covers)),
                )
            else:
                category = self.random.choice(["brokerage_fee", "equipment", "transport"])
                line = Row(
                    pk=pk,
                    description=category.replace("_", " ").capitalize(),
                    category=category,
                    listing_id=None,
                    listing=None,
                    unit_cost=Decimal(self.random.randint(2000, 30000)) / 100,
                    units=Decimal("1.00"),
                    frequency="once",
                    outcomes=sorted(set(covers)),
                )
            line.annual_cost = annual_cost(line.unit_cost, line.units, line.frequency)
            lines.append(line)
        return lines

    def _snapshot(self, plan: Row, lines: list[Row], client_name: str, broker_name: str) -> dict[str, Any]:
        """`plans.record.plan_record` without the database: the same keys, digest and check."""
        budget = plan.budget
        content = {
            "budget": record._budget(budget),  # type: ignore[arg-type]
            "summary": plan.summary,
            "outcomes": [{"code": c, "description": plan.outcome_descriptions.get(c, "")} for c in budget.outcomes],
            "lines": [record._line(line) for line in lines],  # type: ignore[arg-type]
        }
        check = check_plan(
            PlanData(
                budget=budget.annual_amount,
                assessed_outcomes=budget.outcomes,
                lines=[
                    LineData(line.pk, line.description, line.category, line.annual_cost, line.outcomes, line.listing_id)
                    for line in lines
                ],
            )
        )
        return {
            "schema": record.SCHEMA,
            "id": plan.pk,
            "version": plan.version,
            "client": {"id": plan.client_id, "name": client_name, "role": "client"},
            "broker": {"id": plan.broker_id, "name": broker_name, "role": "broker"},
            **content,
            "totals": {**check.totals.as_dict(), "client_contribution": record._money(budget.client_contribution)},
            "check": check.as_dict(),
            "digest": record.digest_of(content),
            "shared_at": plan.shared_at.isoformat() if plan.shared_at else None,
            "client_agreed_at": plan.client_agreed_at.isoformat() if plan.client_agreed_at else None,
            "agreed_by": None,
        }

    def _plans(self) -> None:
        sizes = self.sizes
        clients = [client for client in self.clients if client in self.broker_of]
        extra = max(0, sizes.plans - len(clients) - 1)
        counts = dict.fromkeys(clients, 1)
        for _ in range(extra):
            counts[self.random.choice(clients)] += 1
        out: dict[str, list] = {
            name: [] for name in ("budget", "plan", "line", "version", "decision", "event", "notification", "access")
        }
        ready = 0
        for client in [*clients, self.fifty]:
            broker, _engagement, engaged_on = self.broker_of[client]
            statuses = ["draft"] if client == self.fifty else self._plan_statuses(counts[client])
            previous_approved = None
            for number, status in enumerate(statuses):
                start = engaged_on + datetime.timedelta(days=20 + 365 * number + self.random.randint(0, 30))
                start = min(start, self.now - datetime.timedelta(days=len(statuses) - number))
                make_ready = status == "draft" and ready < sizes.ready and client != self.fifty
                self._one_plan(
                    out,
                    client,
                    broker,
                    status,
                    start,
                    previous_approved,
                    lines=50 if client == self.fifty else self.random.randint(1, 8),
                    ready=make_ready,
                )
                ready += make_ready
                if status == "approved":
                    if previous_approved is not None:
                        out["plan"][previous_approved]["superseded_at"] = start
                    previous_approved = len(out["plan"]) - 1
        self._write_plans(out)

    def _one_plan(self, out, client, broker, status, start, renews_index, *, lines: int, ready: bool) -> None:  # type: ignore[no-untyped-def]
        council = "kent" if self.random.random() < 0.8 else "medway"
        outcomes = self.random.sample(PLAN_OUTCOMES, self.random.randint(2, 3))
        budget = Row(
            pk=self.ids.next("plans_budget"),
            client_id=client,
            council=council,
            eligibility=self.random.choice(["critical", "substantial", "substantial", "moderate"]),
            annual_amount=Decimal("0.00"),
            client_contribution=Decimal("0.00"),
            assessed_on=start.date(),
            review_on=start.date() + datetime.timedelta(days=365),
            outcomes=outcomes,
            payment_route=self.random.choice(ROUTES_BY_COUNCIL[council]),
            recorded_by_id=self.random.choice(self.reviewers),
        )
        plan_pk = self.ids.next("plans_plan")
        plan_lines = self._lines_for(outcomes, lines)
        total = sum((line.annual_cost for line in plan_lines), Decimal("0.00"))
        over = status == "changes_requested" and self.random.random() < 0.5
        factor = Decimal("0.9") if over else Decimal(self.random.randint(105, 160)) / 100
        budget.annual_amount = min(Decimal("1000000.00"), (total * factor).quantize(Decimal("1.")) + 50)
        submitted = status not in ("draft",) and not (status == "withdrawn" and self.random.random() < 0.5)
        shared = submitted or ready
        submitted_at = start + datetime.timedelta(days=10) if submitted else None
        if submitted_at and status in ("submitted", "in_review"):
            submitted_at = min(submitted_at, self.now - datetime.timedelta(hours=self.random.randint(1, 24 * 40)))
        plan = Row(
            pk=plan_pk,
            client_id=client,
            broker_id=broker,
            budget=budget,
            status=status,
            version=1,
            summary=self.random.choice(SUMMARIES),
            outcome_descriptions={c: OUTCOME_WORDS[c] for c in outcomes},
            shared_at=start + datetime.timedelta(days=8) if shared else None,
            client_agreed_at=start + datetime.timedelta(days=9) if shared else None,
        )
        client_name, broker_name = self.users[client - 1][7], self.users[broker - 1][7]
        snapshot = self._snapshot(plan, plan_lines, client_name, broker_name) if shared else None
        digest = snapshot["digest"] if snapshot else ""
        reviewer = self.random.choice(self.reviewers) if status not in ("draft", "submitted", "withdrawn") else None
        decided_at = (
            submitted_at + datetime.timedelta(days=self.random.randint(1, 12)) if reviewer and submitted_at else None
        )
        updated = decided_at or submitted_at or start
        approved = status == "approved"
        first_review = decided_at.date() + datetime.timedelta(weeks=7) if approved and decided_at else None
        out["budget"].append(
            (
                budget.pk,
                council,
                budget.eligibility,
                budget.annual_amount,
                budget.client_contribution,
                budget.assessed_on,
                budget.review_on,
                outcomes,
                budget.payment_route,
                start,
                client,
                budget.recorded_by_id,
            )
        )
        out["plan"].append(
            {
                "id": plan_pk,
                "status": status,
                "version": 1,
                "summary": plan.summary,
                "outcome_descriptions": Jsonb(plan.outcome_descriptions),
                "client_agreed_at": plan.client_agreed_at,
                "first_submitted_at": submitted_at,
                "submitted_at": submitted_at,
                "review_first_on": first_review,
                "review_next_on": first_review,
                "created_at": start,
                "updated_at": updated,
                "broker_id": broker,
                "budget_id": budget.pk,
                "client_id": client,
                "reviewer_id": reviewer,
                "agreed_digest": digest,
                "renews_id": out["plan"][renews_index]["id"] if renews_index is not None else None,
                "shared_at": plan.shared_at,
                "shared_digest": digest,
                "shared_record": Jsonb(snapshot) if snapshot and status in ("draft", "submitted") else None,
                "workflow_sent_at": submitted_at,
                "workflow_resends": 0,
                "superseded_at": None,
            }
        )
        for line in plan_lines:
            out["line"].append(
                (
                    line.pk,
                    line.description,
                    line.category,
                    line.unit_cost,
                    line.units,
                    line.frequency,
                    line.outcomes,
                    start,
                    line.listing_id,
                    plan_pk,
                )
            )
        events = [("created", broker, "", "draft", start)]
        if shared:
            events.append(("shared", broker, "draft", "draft", plan.shared_at))
            events.append(("agreed", client, "draft", "draft", plan.client_agreed_at))
        if submitted_at:
            out["version"].append((plan_pk, 1, Jsonb(snapshot), submitted_at, client, submitted_at, 0))
            events.append(("submitted", client, "draft", "submitted", submitted_at))
            out["access"].append((submitted_at, broker, "broker", client, "plan", plan_pk))
        if reviewer and submitted_at:
            events.append(("review_started", None, "submitted", "in_review", submitted_at))
            out["access"].append(
                (submitted_at + datetime.timedelta(hours=2), reviewer, "reviewer", client, "plan", plan_pk)
            )
        if status in ("approved", "declined", "changes_requested"):
            reasons = [] if approved else ["Please say how the gym membership meets the outcome."]
            out["decision"].append(
                (plan_pk, 1, status, Jsonb(reasons), "Looks good." if approved else "", reviewer, decided_at)
            )
            events.append((status, reviewer, "in_review", status, decided_at))
        if status == "withdrawn":
            events.append(("withdrawn", client, "submitted" if submitted_at else "draft", "withdrawn", updated))
        for action, by, from_state, to_state, at in events:
            event_id = self.ids.next("audit_event")
            out["event"].append((event_id, at, "page", action, "plan", plan_pk, from_state, to_state, by, client))
            kind = {
                "approved": "approved",
                "declined": "declined",
                "changes_requested": "changes_requested",
                "review_started": "review_started",
                "submitted": "plan_submitted",
            }.get(action)
            if kind:
                for recipient in (client, broker):
                    read = at + datetime.timedelta(hours=5) if at < self.now - datetime.timedelta(days=3) else None
                    out["notification"].append(
                        (kind, NOTIFICATION_TEXT[kind], f"/plans/{plan_pk}/", at, read, plan_pk, recipient, event_id)
                    )

    def _write_plans(self, out: dict[str, list]) -> None:
        copy_rows(
            "plans_budget",
            [
                "id",
                "council",
                "eligibility",
                "annual_amount",
                "client_contribution",
                "assessed_on",
                "review_on",
                "outcomes",
                "payment_route",
                "created_at",
                "client_id",
                "recorded_by_id",
            ],
            out["budget"],
        )
        columns = list(out["plan"][0])
        copy_rows("plans_plan", columns, ([row[c] for c in columns] for row in out["plan"]))
        copy_rows(
            "plans_planline",
            [
                "id",
                "description",
                "category",
                "unit_cost",
                "units",
                "frequency",
                "outcomes",
                "created_at",
                "listing_id",
                "plan_id",
            ],
            out["line"],
        )
        copy_rows(
            "plans_planversion",
            ["plan_id", "number", "snapshot", "submitted_at", "submitted_by_id", "render_sent_at", "render_resends"],
            out["version"],
        )
        copy_rows(
            "plans_decision",
            ["plan_id", "version", "outcome", "reasons", "note", "by_id", "decided_at"],
            out["decision"],
        )
        copy_rows(
            "audit_event",
            [
                "id",
                "at",
                "via",
                "action",
                "record_type",
                "record_id",
                "from_state",
                "to_state",
                "by_id",
                "person_id",
                "reason",
                "data",
                "request_id",
            ],
            ((*row, "", Jsonb({}), "") for row in out["event"]),
        )
        copy_rows(
            "plans_notification",
            ["kind", "text", "link", "created_at", "read_at", "plan_id", "recipient_id", "event_id"],
            out["notification"],
        )
        copy_rows("audit_accesslog", ["at", "who_id", "role", "person_id", "record", "record_id"], out["access"])
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO brokers_revieweraccess (client_id, granted_at)
                SELECT client_id, min(first_submitted_at) FROM plans_plan
                WHERE first_submitted_at IS NOT NULL GROUP BY client_id"""
            )
        self.log(
            f"{len(out['plan'])} plans, {len(out['line'])} lines, {len(out['version'])} versions, "
            f"{len(out['decision'])} decisions, {len(out['event'])} events, {len(out['notification'])} notifications"
        )

    # --- all of it ------------------------------------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        self._people()
        self._brokers()
        self._providers()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # providers.scale turned it back on
        self._engagements()
        self._plans()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        _reset_sequences(
            [
                "accounts_user",
                "account_emailaddress",
                "charter_signature",
                "brokers_engagement",
                "brokers_message",
                "brokers_feedback",
                "providers_membership",
                "plans_budget",
                "plans_plan",
                "plans_planline",
                "plans_planversion",
                "plans_decision",
                "audit_event",
                "plans_notification",
                "audit_accesslog",
            ]
        )


def database_is_empty() -> bool:
    from accounts.models import User

    return not User.objects.exists()


def vacuum_analyze() -> None:
    """Bulk-loaded tables have no visibility map yet: without VACUUM no index-only scan would be used."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
