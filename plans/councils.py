"""Each council's rules in one place: the payment routes it offers, who to contact about direct payments, and how
the money reaches the person, in plain words.

Plain strings only (no models), so that `plans.models` can build the database constraint from the same table and
every other part of the app (the budget service, the forms, the pages) reads it from here.

Sources: the Kent and Medway pages on personal budgets that the domain notes were drawn from. Medway's Self Directed
Support Team and its number come from there. The pages give no number for Kent County Council's direct payments: the
contact below is an example, marked `confirmed=False`, with a number from Ofcom's range reserved for drama (03069
990xxx) so that nobody can ring a stranger by mistake. Replace it with the council's own before going live.
"""

from __future__ import annotations

from dataclasses import dataclass

KENT = "kent"
MEDWAY = "medway"
KENT_CARD = "kent_card"
DIRECT_PAYMENT = "direct_payment"
MANAGED_ACCOUNT = "managed_account"


@dataclass(frozen=True)
class Contact:
    """Who to ask about direct payments at a council."""

    council: str  # "Medway Council"
    team: str  # "Self Directed Support Team"
    phone: str
    email: str = ""
    confirmed: bool = True  # False: an example until the council confirms its own details
    note: str = ""  # said beside an unconfirmed contact

    @property
    def phone_link(self) -> str:
        return "tel:" + self.phone.replace(" ", "")


@dataclass(frozen=True)
class Council:
    code: str
    name: str
    routes: tuple[str, ...]
    contact: Contact
    # How the money reaches the person on each route, in plain words (second person: the client reads it).
    route_words: dict[str, str]
    refusals: dict[str, str]  # why a route is not offered

    def offers(self, route: str) -> bool:
        return route in self.routes


UNCONFIRMED = (
    "This is an example contact until Kent County Council's own details are confirmed. "
    "Ask your key worker for the right number."
)

COUNCILS: dict[str, Council] = {
    KENT: Council(
        code=KENT,
        name="Kent County Council",
        routes=(KENT_CARD, DIRECT_PAYMENT, MANAGED_ACCOUNT),
        contact=Contact(
            council="Kent County Council",
            team="Direct Payments Team",
            phone="03069 990 123",
            email="direct.payments@kent.example",
            confirmed=False,
            note=UNCONFIRMED,
        ),
        route_words={
            KENT_CARD: (
                "Kent County Council puts your direct payment on the Kent Card. The Kent Card is a prepaid Visa card "
                "with chip and PIN. You do not need a bank account. You pay for the things in your plan with it, "
                "like any bank card, and the council tops it up."
            ),
            DIRECT_PAYMENT: (
                "Kent County Council pays your direct payment into a bank account that you keep only for your "
                "support. You pay for the things in your plan from that account."
            ),
            MANAGED_ACCOUNT: (
                "Kent County Council keeps your budget in an account it manages for you. It pays the people and "
                "places in your plan, so you do not handle the money yourself."
            ),
        },
        refusals={},
    ),
    MEDWAY: Council(
        code=MEDWAY,
        name="Medway Council",
        routes=(DIRECT_PAYMENT, MANAGED_ACCOUNT),
        contact=Contact(council="Medway Council", team="Self Directed Support Team", phone="01634 334466"),
        route_words={
            DIRECT_PAYMENT: (
                "Medway Council's Self Directed Support Team arranges your direct payment. The money is paid to you, "
                "so that you can arrange and pay for the things in your plan yourself."
            ),
            MANAGED_ACCOUNT: (
                "Medway Council keeps your budget in an account it manages for you. It pays the people and places "
                "in your plan, so you do not handle the money yourself."
            ),
        },
        refusals={
            KENT_CARD: (
                "Medway Council does not offer the Kent Card. Choose a direct payment or a council-managed account."
            )
        },
    ),
}

# For the database constraint (`plans.models.Budget`): each council with the routes it offers.
ROUTES_BY_COUNCIL: dict[str, tuple[str, ...]] = {code: council.routes for code, council in COUNCILS.items()}


def council_for(code: str) -> Council:
    return COUNCILS[code]


def route_refusal(council: str, route: str) -> str | None:
    """Why this council does not pay this way, or None when it does."""
    rules = COUNCILS.get(council)
    if rules is None or rules.offers(route):
        return None
    return rules.refusals.get(route, f"{rules.name} does not pay personal budgets this way. Choose another way.")


def payment_words(council: str, route: str) -> str:
    """How the money reaches the person, for their council and route."""
    rules = COUNCILS.get(council)
    return rules.route_words.get(route, "") if rules is not None else ""


ROUTE_NAMES = {KENT_CARD: "the Kent Card", DIRECT_PAYMENT: "a direct payment", MANAGED_ACCOUNT: "a managed account"}


def routes_hint() -> str:
    """For the budget form: which council offers which route."""
    return " ".join(
        f"{council.name} offers {', '.join(ROUTE_NAMES[route] for route in council.routes)}."
        for council in COUNCILS.values()
    )
