from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models


class Role(models.TextChoices):
    CLIENT = "client", "Client"
    BROKER = "broker", "Support broker"
    PROVIDER = "provider", "Activity provider"
    REVIEWER = "reviewer", "KMPT reviewer"
    ADMIN = "admin", "Administrator"


# The roles a person may choose for themself when signing up.
SELF_SIGNUP_ROLES = (Role.CLIENT, Role.BROKER, Role.PROVIDER)


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user_object(self, username: Any, email: str | None, password: str | None, **extra: Any) -> User:
        email = self.normalize_email(email or "").lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        return user

    def create_user(self, email: str | None = None, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        user = self._create_user_object(None, email, password, **extra)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str | None = None, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their email address. One role per account."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT, db_index=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def is_broker(self) -> bool:
        return self.role == Role.BROKER

    @property
    def is_provider(self) -> bool:
        return self.role == Role.PROVIDER

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_admin(self) -> bool:
        return self.is_staff
