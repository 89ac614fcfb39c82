"""Organisations and listings at national scale for measuring (100,000 listings in 4,000 organisations by default):
realistic titles, descriptions, categories, areas, postcodes, states and freshness, written by PostgreSQL itself
(`generate_series`), so that a few seconds fill the tables. For benchmarks and EXPLAIN, never for real data."""

from __future__ import annotations

import uuid

from django.db import connection, transaction

from providers import words
from providers.models import oruk_derived_id
from providers.postcodes import OUTWARD_AREAS

ACTIVITIES = {
    "art_class": ["watercolour", "pottery", "sketching", "painting", "printmaking", "collage"],
    "gym": ["gym", "strength training", "circuits", "fitness"],
    "sports_club": ["football", "badminton", "swimming", "boxing", "tennis", "bowls"],
    "yoga": ["yoga", "hatha yoga", "chair yoga", "pilates"],
    "relaxation": ["meditation", "relaxation", "breathing", "tai chi"],
    "walking_group": ["walking", "rambling", "nature walk", "health walk"],
    "alternative_therapy": ["aromatherapy", "reflexology", "massage", "reiki"],
    "employment_skills": ["CV writing", "interview skills", "job club", "volunteering"],
    "education": ["cooking", "computer skills", "English", "maths", "gardening"],
    "peer_support": ["peer support", "hearing voices", "recovery", "wellbeing"],
    "personal_assistant": ["personal assistant", "support worker", "companion"],
    "transport": ["community transport", "door to door transport", "minibus"],
    "other": ["allotment", "choir", "drama", "book club", "crafts"],
}
ADJECTIVES = ["Gentle", "Community", "Friendly", "Morning", "Evening", "Weekly", "Relaxed", "Open", "Mindful",
              "Outdoor", "Seaside", "Village", "Beginners'", "Women's", "Men's", "Young adults'"]  # fmt: skip
SUFFIXES = ["group", "class", "club", "session", "course", "for beginners", "drop-in", "taster"]
SENTENCES = [
    "A friendly session for adults of every ability.",
    "No experience needed: everything is provided.",
    "Come along on your own or bring someone with you.",
    "Run by qualified and DBS-checked staff.",
    "A quiet space to meet people and build confidence.",
    "Step-free access and an accessible toilet.",
    "Tea and biscuits afterwards.",
    "Suitable for people living with anxiety or depression.",
    "Small groups, so everyone gets attention.",
    "Wear comfortable clothes and bring water.",
]
PLACES = ["Arts", "Wellbeing", "Community", "Sports", "Recovery", "Leisure", "Learning", "Outdoors"]
KINDS = ["Trust", "Centre", "Collective", "Club", "Network", "Project", "CIC", "Foundation"]
TOWNS = ["Canterbury", "Margate", "Dover", "Folkestone", "Ashford", "Maidstone", "Chatham", "Gravesend",
         "Dartford", "Sevenoaks", "Tonbridge", "Tunbridge Wells", "Sittingbourne", "Whitstable", "Deal"]  # fmt: skip


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]::text[]"


def _pick(array: str, seed: str) -> str:
    """An element of `array` chosen by a hash of `seed`: the same every run."""
    return f"({array})[1 + abs(hashtext({seed})) % array_length({array}, 1)]"


@transaction.atomic
def seed(*, organizations: int = 4000, listings: int = 100_000) -> None:
    """Add `organizations` organisations (95 % verified) and `listings` listings (88 % published, 7 % draft).

    Triggers are off while it writes (PostgreSQL's replica mode: no history rows for made-up data, and minutes saved),
    so it fills the freshness date itself, as the trigger would."""
    districts = [(outward, areas[0]) for outward, areas in OUTWARD_AREAS.items() if len(areas) == 1]
    categories = list(ACTIVITIES)
    activity_cases = " ".join(
        f"WHEN '{category}' THEN {_pick(_array(names), 'g::text || :a')}" for category, names in ACTIVITIES.items()
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"""INSERT INTO providers_organization (uuid, name, description, website, email, phone, charity_number,
                company_number, safeguarding_contact_name, safeguarding_contact_email, verified_at, created_at,
                updated_at)
            SELECT gen_random_uuid(),
                {_pick(_array(TOWNS), "g::text || 't'")} || ' ' || {_pick(_array(PLACES), "g::text || 'p'")} || ' '
                    || {_pick(_array(KINDS), "g::text || 'k'")} || ' ' || g,
                'Activities for adults in Kent and Medway.', 'https://org' || g || '.example.org',
                'hello@org' || g || '.example.org', '01227 ' || lpad((g % 1000000)::text, 6, '0'),
                (1000000 + g)::text, '', 'Safeguarding lead ' || g, 'safe@org' || g || '.example.org',
                CASE WHEN g % 20 = 0 THEN NULL ELSE now() - interval '400 days' END, now(), now()
            FROM generate_series(1, {int(organizations)}) AS g"""  # noqa: S608 (constants and integers only)
        )
        cursor.execute("SELECT min(id), max(id) FROM providers_organization")
        first_org, last_org = cursor.fetchone()
        category = _pick(_array(categories), "g::text || 'c'")
        district = f"{_pick(_array([d for d, _ in districts]), 'g::text || :d')}"
        cursor.execute(
            f"""WITH base AS (
                SELECT g, {category} AS category, {district} AS outward FROM generate_series(1, {int(listings)}) AS g
            )
            INSERT INTO providers_listing (uuid, organization_id, title, description, category, cost, cost_unit,
                area, postcode, schedule, accessibility, contact_email, contact_phone, status, published_at,
                last_reviewed_on, fresh_from, created_at, updated_at)
            SELECT gen_random_uuid(),
                {int(first_org)} + (g % {int(last_org) - int(first_org) + 1}),
                {_pick(_array(ADJECTIVES), "g::text || 'j'")} || ' ' || (CASE category {activity_cases} END)
                    || ' ' || {_pick(_array(SUFFIXES), "g::text || 's'")},
                {_pick(_array(SENTENCES), "g::text || '1'")} || ' ' || {_pick(_array(SENTENCES), "g::text || '2'")}
                    || ' ' || {_pick(_array(SENTENCES), "g::text || '3'")},
                category,
                CASE WHEN g % 9 = 0 THEN 0 ELSE (abs(hashtext(g::text || '$')) % 6000) / 100.0 END,
                ({_array(["session", "hour", "week", "month", "year", "once"])})[1 + g % 6],
                (SELECT areas.area FROM (VALUES {", ".join(f"('{d}', '{a}')" for d, a in districts)})
                    AS areas(outward, area) WHERE areas.outward = base.outward),
                outward || ' ' || (g % 10) || chr(65 + g % 26) || chr(65 + (g / 26) % 26),
                'Tuesdays 10am to 12pm', 'Step-free access', 'activity' || g || '@example.org', '01227 555 0101',
                CASE WHEN g % 100 < 88 THEN 'published' WHEN g % 100 < 95 THEN 'draft' ELSE 'archived' END,
                now() - interval '500 days', current_date - (abs(hashtext(g::text || 'r')) % 300),
                current_date - (abs(hashtext(g::text || 'r')) % 300), now(), now()
            FROM base""".replace(":a", "'a'").replace(":d", "'d'")  # noqa: S608 (constants and integers only)
        )
        cursor.execute("SELECT id, uuid FROM providers_listing WHERE service_at_location_uuid IS NULL")
        derived = [(pk, oruk_derived_id(value, "service_at_location")) for pk, value in cursor.fetchall()]
        cursor.execute("CREATE TEMPORARY TABLE derived_ids (id bigint, value uuid) ON COMMIT DROP")
        with cursor.copy("COPY derived_ids (id, value) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for pk, value in derived:
                copy.write_row((pk, uuid.UUID(str(value))))
        cursor.execute(
            "UPDATE providers_listing SET service_at_location_uuid = derived_ids.value "
            "FROM derived_ids WHERE derived_ids.id = providers_listing.id"
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE providers_organization")
        cursor.execute("ANALYZE providers_listing")
    words.rebuild()


BENCHMARK_URLS = [
    "/api/v1/listings?q=yogga",
    "/api/v1/listings?q=yoga",
    "/api/v1/listings",
    "/api/v1/listings?page_size=100",
    "/api/v1/listings?postcode=CT1",
    "/api/v1/listings?category=yoga&area=kent",
    "/listings/",
    "/listings/?q=yogga",
    "/openreferral/services",
    "/openreferral/services?page=1700",
    "/openreferral/service_at_locations",
]


def time_requests(rounds: int = 4) -> list[tuple[str, float, float]]:
    """Single-request times (ms) of the search and the feed through Django's test client: the median of `rounds`
    requests with the cache emptied before each (the first one, warming up, left out), and one answered from the
    cache. `manage.py shell -c "from providers import scale; scale.print_times()"` on a seeded database."""
    import statistics
    import time

    from django.core.cache import cache
    from django.test import Client

    from providers.selectors import listings_public

    client = Client()
    deepest = listings_public().order_by("-id").values_list("service_at_location_uuid", flat=True).first()
    results = []
    for url in [*BENCHMARK_URLS, f"/openreferral/service_at_locations/{deepest}"]:
        times = []
        for _ in range(rounds):
            cache.clear()
            start = time.perf_counter()
            assert client.get(url).status_code == 200, url
            times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        client.get(url)
        results.append((url, statistics.median(times[1:]), (time.perf_counter() - start) * 1000))
    return results


def print_times() -> None:
    print("| request | uncached ms | cached ms |\n| --- | --- | --- |")
    for url, uncached, from_cache in time_requests():
        print(f"| `{url}` | {uncached:.1f} | {from_cache:.1f} |")
