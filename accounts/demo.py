"""Demo people: the contract's accounts. Other apps add their own data in their `demo.py`."""

from accounts.models import Role, User
from accounts.services import user_create

DEMO_PASSWORD = "demo-pass-123"

DEMO_PEOPLE = [
    ("client@example.org", "Alex Morgan", Role.CLIENT),
    ("client2@example.org", "Sam Patel", Role.CLIENT),
    ("broker@example.org", "Jo Fletcher", Role.BROKER),
    ("broker2@example.org", "Priya Shah", Role.BROKER),
    ("unsigned-broker@example.org", "Chris Adebayo", Role.BROKER),
    ("provider@example.org", "Morgan Ellis", Role.PROVIDER),
    ("reviewer@example.org", "Dr Helen Carter", Role.REVIEWER),
    ("reviewer2@example.org", "Tom Okafor", Role.REVIEWER),
    ("admin@example.org", "Waymark Admin", Role.ADMIN),
    ("client3@example.org", "Robin Hale", Role.CLIENT),
    ("carer@example.org", "Sam Taylor", Role.CLIENT),
]


def demo_user(email: str, name: str, role: str) -> User:
    """Get or create one demo person with a verified email and the demo password."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            name=name,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
    return user


def seed() -> None:
    for email, name, role in DEMO_PEOPLE:
        demo_user(email, name, role)
    _carer_helps_client3()


def _carer_helps_client3() -> None:
    """carer@example.org is client3's carer, seeing their plan and budget and messaging their broker."""
    from accounts.models import Relationship, Representative, RepresentativeStatus

    client3, carer = User.objects.get(email="client3@example.org"), User.objects.get(email="carer@example.org")
    if Representative.objects.filter(client=client3, person=carer, status=RepresentativeStatus.ACTIVE).exists():
        return
    from django.utils import timezone

    Representative.objects.create(
        client=client3, person=carer, email=carer.email, name=carer.name, relationship=Relationship.CARER,
        scope=["view", "message"], status=RepresentativeStatus.ACTIVE, invited_by=client3,
        accepted_at=timezone.now(),
    )  # fmt: skip
