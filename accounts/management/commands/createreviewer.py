from getpass import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import User
from accounts.services import reviewer_create


class Command(BaseCommand):
    help = "Add a KMPT reviewer (reviewers can never sign themselves up)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="Set a password now; otherwise they use 'Forgotten your password?'.")
        parser.add_argument("--ask-password", action="store_true", help="Prompt for the password.")

    def handle(
        self, *args: Any, email: str, name: str, password: str | None, ask_password: bool, **options: Any
    ) -> None:
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not a valid email address.") from error
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"There is already an account for {email}.")
        if ask_password:
            password = getpass("Password: ")
        if password:
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        user = reviewer_create(email=email, name=name, password=password)
        how = "with the password given" if password else "who must set a password with 'Forgotten your password?'"
        self.stdout.write(self.style.SUCCESS(f"Reviewer {user.email} (id {user.pk}) added, {how}."))
