"""Demo brokers across Kent and Medway, an active engagement with messages, and some feedback (idempotent)."""

from decimal import Decimal
from typing import Any

from accounts.demo import demo_user
from accounts.models import Role, User
from brokers.models import BrokerProfile, Engagement, EngagementStatus, Message
from brokers.selectors import engagement_open_between
from brokers.services import (
    broker_interests_set,
    broker_listing_refresh,
    engagement_request,
    engagement_transition,
    feedback_give,
)
from charter.models import Signature, SignatureStatus
from charter.selectors import charter_current
from charter.services import signature_create, signature_verify

ADMIN_EMAIL = "admin@example.org"

# email, name, profile
BROKERS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "broker@example.org",
        "Jo Fletcher",
        {
            "bio": "I have worked alongside KMPT community teams in East Kent for nine years. I help people with "
            "mental health needs turn their personal budget into a plan that fits their week: classes, groups, "
            "getting back to work, or simply getting out of the house.",
            "areas": ["kent", "canterbury"],
            "specialisms": ["mental_health", "employment"],
            "languages": ["en"],
            "hourly_rate": Decimal("32.00"),
        },
    ),
    (
        "broker2@example.org",
        "Priya Shah",
        {
            "bio": "Independent broker in Medway and Gravesham. Before brokerage I was a carer for my brother, so I "
            "know the system from both sides. I speak Gujarati and Punjabi as well as English.",
            "areas": ["medway", "gravesham"],
            "specialisms": ["mental_health", "carers"],
            "languages": ["en", "gu", "pa"],
            "hourly_rate": Decimal("28.50"),
        },
    ),
    (
        "marta.nowak@example.org",
        "Marta Nowak",
        {
            "bio": "I support Polish-speaking people across Thanet and Dover to plan support that makes sense to "
            "them. Particular interest in dual diagnosis and recovery.",
            "areas": ["thanet", "dover"],
            "specialisms": ["dual_diagnosis", "mental_health"],
            "languages": ["en", "pl"],
            "hourly_rate": Decimal("30.00"),
        },
    ),
    (
        "bikash.gurung@example.org",
        "Bikash Gurung",
        {
            "bio": "Based in Folkestone, working with the Nepali community and ex-service families. I am calm, "
            "practical and good with forms.",
            "areas": ["folkestone_and_hythe", "ashford"],
            "specialisms": ["mental_health", "older_people"],
            "languages": ["en", "ne"],
            "hourly_rate": Decimal("27.00"),
        },
    ),
    (
        "helen.price@example.org",
        "Helen Price",
        {
            "bio": "Former occupational therapist. I help autistic adults and people with a learning disability "
            "build routines, find day activities and plan for work.",
            "areas": ["maidstone", "tonbridge_and_malling"],
            "specialisms": ["autism", "learning_disability", "employment"],
            "languages": ["en"],
            "hourly_rate": Decimal("38.00"),
        },
    ),
    (
        "david.okoro@example.org",
        "David Okoro",
        {
            "bio": "Peer broker with lived experience of psychosis and recovery. I work across the whole county and "
            "can meet in person or by video.",
            "areas": ["kent"],
            "specialisms": ["mental_health", "dual_diagnosis"],
            "languages": ["en"],
            "hourly_rate": Decimal("25.00"),
        },
    ),
    (
        "sian.roberts@example.org",
        "Siân Roberts",
        {
            "bio": "Supporting older people and their carers in Sevenoaks and Tunbridge Wells to stay connected to "
            "their communities.",
            "areas": ["sevenoaks", "tunbridge_wells"],
            "specialisms": ["older_people", "carers"],
            "languages": ["en", "fr"],
            "hourly_rate": Decimal("35.00"),
        },
    ),
    (
        "elena.popescu@example.org",
        "Elena Popescu",
        {
            "bio": "Romanian and English speaking broker in Dartford and Swale. I help people who are new to the "
            "UK understand their personal budget and the choices they have.",
            "areas": ["dartford", "swale", "gravesham"],
            "specialisms": ["mental_health", "employment"],
            "languages": ["en", "ro"],
            "hourly_rate": Decimal("29.00"),
        },
    ),
    (
        "tariq.hussain@example.org",
        "Tariq Hussain",
        {
            "bio": "Medway-based broker working with young adults moving on from children's services, especially "
            "autistic young people. Urdu and Punjabi spoken.",
            "areas": ["medway"],
            "specialisms": ["autism", "mental_health"],
            "languages": ["en", "ur", "pa"],
            "hourly_rate": Decimal("31.00"),
            "accepting_clients": False,
        },
    ),
    (
        "rachel.green@example.org",
        "Rachel Green",
        {
            "bio": "I help people in Canterbury and Swale find creative activities, art groups and volunteering. "
            "Twelve years in community development.",
            "areas": ["canterbury", "swale"],
            "specialisms": ["mental_health", "learning_disability"],
            "languages": ["en"],
            "hourly_rate": Decimal("33.00"),
        },
    ),
    (
        "kemi.adeyemi@example.org",
        "Kemi Adeyemi",
        {
            "bio": "Ashford broker specialising in employment support and getting back into education after a "
            "period of illness.",
            "areas": ["ashford", "kent"],
            "specialisms": ["employment", "mental_health"],
            "languages": ["en", "es"],
            "hourly_rate": Decimal("36.00"),
        },
    ),
]

UNSIGNED = (
    "unsigned-broker@example.org",
    "Chris Adebayo",
    {
        "bio": "New broker in Maidstone, about to sign the charter.",
        "areas": ["maidstone"],
        "specialisms": ["mental_health"],
        "languages": ["en"],
        "hourly_rate": Decimal("26.00"),
    },
)

FEEDBACK_CLIENTS = [
    ("ruth.client@example.org", "Ruth Baker", "broker@example.org", 5, "Jo listened and never rushed me."),
    ("owen.client@example.org", "Owen Lewis", "broker@example.org", 4, "Helpful and clear about the fees."),
    ("amira.client@example.org", "Amira Said", "marta.nowak@example.org", 5, "Explained everything in Polish."),
    ("george.client@example.org", "George Hall", "david.okoro@example.org", 4, "Understood what I was going through."),
    ("lily.client@example.org", "Lily Evans", "helen.price@example.org", 3, "Good plan, slow to reply at times."),
]

CONVERSATION = [
    (
        "client",
        "Hello Jo, my key worker said you could help me plan how to use my personal budget. "
        "I would like to get out more and maybe try an art class.",
    ),
    (
        "broker",
        "Hello Alex, thank you for getting in touch. I would be glad to help. Could we meet at the "
        "Beaney in Canterbury next Tuesday at 11?",
    ),
    ("client", "Tuesday is good. I get anxious in busy places, is it quiet there in the morning?"),
    (
        "broker",
        "It is usually quiet before lunch, and we can sit in the café corner. I will bring a few ideas "
        "for art groups and walking groups near you.",
    ),
]


def _broker(email: str, name: str, profile: dict[str, Any]) -> User:
    user = demo_user(email, name, Role.BROKER)
    BrokerProfile.objects.update_or_create(
        user=user, defaults={"display_name": name, "accepting_clients": True, **profile}
    )
    broker_listing_refresh(broker_ids=[user.pk])
    return user


def _signed_and_verified(broker: User, admin: User) -> None:
    current = charter_current()
    if current is None:
        return
    signature = Signature.objects.filter(broker=broker, charter=current).first()
    if signature is None:
        attestations = {principle.key: True for principle in current.principles.all()}
        signature = signature_create(broker=broker, version=current.version, attestations=attestations)
    if signature.status == SignatureStatus.PENDING:
        signature_verify(signature=signature, by=admin)


def _interests(broker: User) -> None:
    from providers.models import Organization

    organization = Organization.objects.filter(verified_at__isnull=False).order_by("pk").first()
    if organization is not None and not broker.broker_profile.interests.exists():
        broker_interests_set(
            profile=broker.broker_profile,
            by=broker,
            interests=[{"organization": organization.pk, "nature": "I volunteer there one afternoon a month."}],
        )


def _engagement_with_messages(client: User, broker: User) -> None:
    if Engagement.objects.filter(client=client, broker=broker).exists():
        return
    engagement = engagement_request(client=client, broker_id=broker.pk, message=CONVERSATION[0][1])
    engagement_transition(engagement=engagement, by=broker, action="accept")
    for side, body in CONVERSATION[1:]:
        Message.objects.create(engagement=engagement, sender=client if side == "client" else broker, body=body)


def _feedback(admin: User) -> None:
    for email, name, broker_email, rating, text in FEEDBACK_CLIENTS:
        client = demo_user(email, name, Role.CLIENT)
        broker = User.objects.get(email=broker_email)
        if Engagement.objects.filter(client=client, broker=broker).exists():
            continue
        # An engagement that ended before the demo begins; its feedback goes through the service (stored rating).
        engagement = Engagement.objects.create(client=client, broker=broker, status=EngagementStatus.ENDED)
        feedback_give(engagement=engagement, by=client, rating=rating, text=text)


def seed() -> None:
    admin = demo_user(ADMIN_EMAIL, "Waymark Admin", Role.ADMIN)
    brokers = {email: _broker(email, name, profile) for email, name, profile in BROKERS}
    for broker in brokers.values():
        _signed_and_verified(broker, admin)
    _broker(*UNSIGNED)
    _interests(brokers["broker@example.org"])
    client = demo_user("client@example.org", "Alex Morgan", Role.CLIENT)
    if engagement_open_between(client, brokers["broker@example.org"]) is None:
        _engagement_with_messages(client, brokers["broker@example.org"])
    _feedback(admin)
    # a request waiting for Jo's answer, so the broker's inbox is not empty
    waiting = demo_user("ben.client@example.org", "Ben Carter", Role.CLIENT)
    if not Engagement.objects.filter(client=waiting, broker=brokers["broker@example.org"]).exists():
        engagement_request(
            client=waiting,
            broker_id=brokers["broker@example.org"].pk,
            message="Hello, I live in Whitstable and would like help with my plan. Are you taking new clients?",
        )
