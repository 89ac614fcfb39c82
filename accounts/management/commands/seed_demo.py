from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE

# Each app seeds its own demo data, in this order (later apps build on earlier ones).
SEEDERS = ["accounts.demo", "providers.demo", "charter.demo", "brokers.demo", "plans.demo", "spending.demo"]


class Command(BaseCommand):
    help = "Create the demo accounts and enough data to make every page look lived in (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds accounts with a public password: it runs only with DEBUG on, or --force."
            )
        with transaction.atomic():
            for module_name in SEEDERS:
                if find_spec(module_name) is not None:
                    import_module(module_name).seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in with any of these (password {DEMO_PASSWORD}):"))
        for email, _name, role in DEMO_PEOPLE:
            self.stdout.write(f"  {role:<9} {email}")
