"""Matching payments to plan lines (payee name, amount, rhythm), what the plan expected by a date, and flags."""

import datetime
from decimal import Decimal

import pytest

from spending.matching import (
    PROHIBITED_MERCHANTS,
    LineFacts,
    PaymentFacts,
    flags_for,
    line_names,
    match_payments,
    planned_to,
)

START = datetime.date(2026, 1, 5)
END = datetime.date(2027, 1, 4)


def line(line_id, organisation, title, cost, frequency="weekly"):
    cost = Decimal(cost)
    times = {"weekly": 52, "monthly": 12}.get(frequency, 1)
    return LineFacts(
        id=line_id,
        names=line_names(organisation, title, title),
        per_payment=cost,
        frequency=frequency,
        annual_cost=cost * times,
    )


def pay(payment_id, day, amount, payee="", description="", mcc="", line_id=None, by_hand=False):
    return PaymentFacts(
        id=payment_id,
        date=day if isinstance(day, datetime.date) else START + datetime.timedelta(days=day),
        amount=Decimal(amount),
        payee=payee,
        description=description,
        merchant_category_code=mcc,
        line_id=line_id,
        by_hand=by_hand,
    )


ART = line(1, "Thanet Arts Hub", "Open studio art group", "8.50")
YOGA = line(2, "Kent Wellbeing Collective", "Gentle yoga for beginners", "6.00")
GYM = line(3, "Medway Community Sport Trust", "Wellbeing gym membership", "22.00", "monthly")


@pytest.mark.parametrize(
    ("payee", "description", "expected"),
    [
        ("Thanet Arts Hub", "CARD PAYMENT", ART.id),
        ("", "CARD PAYMENT THANET ARTS HUB MARGATE", ART.id),
        ("", "KENT WELLBEING COLL CANTERBURY", YOGA.id),  # the terminal cut the name short
        ("", "MEDWAY COMMUNITY SP", GYM.id),
        ("", "kent wellbeing collective ltd", YOGA.id),  # legal forms and case do not matter
        ("", "GENTLE YOGA FOR BEGINNERS", YOGA.id),  # the listing's title
        ("", "THANET ARMS PUB", None),  # one word in common is not a match
        ("", "KENT", None),
        ("Tesco", "TESCO STORES 2231", None),
        ("", "", None),
    ],
)
def test_a_payment_matches_the_line_whose_organisation_it_names(payee, description, expected):
    found = match_payments([pay(10, 1, "8.50", payee, description)], [ART, YOGA, GYM])
    assert found == {10: expected}


def test_amount_and_rhythm_tell_apart_two_lines_at_the_same_organisation():
    yoga = line(1, "Kent Wellbeing Collective", "Gentle yoga", "6.00")
    gym = line(2, "Kent Wellbeing Collective", "Gym membership", "22.00", "monthly")
    payments = [
        pay(1, 1, "6.00", "KENT WELLBEING COLLECTIVE"),
        pay(2, 2, "22.00", "KENT WELLBEING COLLECTIVE"),
        pay(3, 8, "6.00", "KENT WELLBEING COLLECTIVE"),
        pay(4, 15, "6.00", "KENT WELLBEING COLLECTIVE"),
        pay(5, 32, "22.00", "KENT WELLBEING COLLECTIVE"),
    ]
    assert match_payments(payments, [yoga, gym]) == {1: 1, 2: 2, 3: 1, 4: 1, 5: 2}


def test_a_refund_from_an_organisation_in_the_plan_goes_back_to_its_line():
    assert match_payments([pay(1, 3, "-8.50", "", "REFUND THANET ARTS HUB")], [ART]) == {1: ART.id}


def test_a_hand_match_is_kept_and_not_returned():
    payments = [pay(1, 1, "8.50", "THANET ARTS HUB", line_id=None, by_hand=True), pay(2, 8, "8.50", "THANET ARTS HUB")]
    assert match_payments(payments, [ART]) == {2: ART.id}


def test_a_person_named_as_payee_matches_a_line_that_names_them():
    assistant = LineFacts(
        id=9,
        names=line_names("", "", "Personal assistant, Jane Smith"),
        per_payment=Decimal("60.00"),
        frequency="weekly",
        annual_cost=Decimal("3120.00"),
    )
    assert match_payments([pay(1, 4, "60.00", "JANE SMITH", "FASTER PAYMENT")], [assistant]) == {1: 9}


def test_planned_to_date_follows_each_line_s_rhythm():
    assert planned_to(ART, START, START - datetime.timedelta(days=1)) == Decimal("0.00")
    assert planned_to(ART, START, START) == Decimal("8.50")  # the first week has begun
    assert planned_to(ART, START, START + datetime.timedelta(days=6)) == Decimal("8.50")
    assert planned_to(ART, START, START + datetime.timedelta(days=7)) == Decimal("17.00")
    assert planned_to(ART, START, END) == ART.annual_cost
    assert planned_to(GYM, START, datetime.date(2026, 2, 4)) == Decimal("22.00")
    assert planned_to(GYM, START, datetime.date(2026, 2, 5)) == Decimal("44.00")
    once = LineFacts(id=4, names=(), per_payment=Decimal("150.00"), frequency="once", annual_cost=Decimal("150.00"))
    assert planned_to(once, START, START) == Decimal("150.00")


def flags(payments, lines=(ART, YOGA, GYM), today=datetime.date(2026, 3, 1)):
    return {
        pid: set(codes) for pid, codes in flags_for(payments, list(lines), start=START, end=END, today=today).items()
    }


@pytest.mark.parametrize("mcc", sorted(PROHIBITED_MERCHANTS))
def test_every_prohibited_merchant_code_is_flagged(mcc):
    assert "prohibited_merchant" in flags([pay(1, 3, "10.00", "SOMEWHERE", mcc=mcc)])[1]


def test_flags_for_a_month_of_payments():
    payments = [
        pay(1, 1, "8.50", line_id=ART.id),
        pay(2, 3, "10.00", "SKYBET", mcc="7995"),  # gambling, and not in the plan
        pay(3, 4, "14.37", "TESCO", mcc="5411"),  # not in the plan
        pay(4, 5, "-6.00", "REFUND"),  # money in is never flagged
        pay(5, 6, "22.00", mcc="7997", line_id=GYM.id),
    ]
    assert flags(payments) == {
        1: set(),
        2: {"prohibited_merchant", "unplanned"},
        3: {"unplanned"},
        4: set(),
        5: set(),
    }


def test_a_line_spent_faster_than_planned_is_flagged_while_it_stays_ahead():
    # Art is £8.50 a week: three sessions paid in the first week is more than 20 % ahead of one.
    payments = [pay(1, 0, "8.50", line_id=ART.id), pay(2, 1, "8.50", line_id=ART.id), pay(3, 2, "8.50", line_id=ART.id)]
    in_week_one = flags(payments, today=START + datetime.timedelta(days=2))
    assert in_week_one == {1: set(), 2: {"over_line"}, 3: {"over_line"}}
    # Three weeks on the plan has caught up: nothing to look at any more.
    assert flags(payments, today=START + datetime.timedelta(days=14)) == {1: set(), 2: set(), 3: set()}


def test_a_refund_that_brings_a_line_back_within_its_plan_closes_the_flag():
    payments = [pay(1, 0, "8.50", line_id=ART.id), pay(2, 1, "8.50", line_id=ART.id)]
    assert flags(payments, today=START + datetime.timedelta(days=2))[2] == {"over_line"}
    refunded = [*payments, pay(3, 2, "-8.50", line_id=ART.id)]
    assert flags(refunded, today=START + datetime.timedelta(days=2))[2] == set()


def test_spending_within_20_percent_of_the_plan_is_not_flagged():
    gym = line(3, "Gym", "Gym", "100.00", "once")
    assert flags([pay(1, 0, "120.00", line_id=3)], lines=[gym]) == {1: set()}
    assert flags([pay(1, 0, "120.01", line_id=3)], lines=[gym]) == {1: {"over_line"}}


def test_payments_outside_the_plan_s_year_do_not_count_against_a_line():
    gym = line(3, "Gym", "Gym", "100.00", "once")
    before = pay(1, START - datetime.timedelta(days=3), "500.00", line_id=3)
    assert flags([before, pay(2, 1, "90.00", line_id=3)], lines=[gym]) == {1: set(), 2: set()}
