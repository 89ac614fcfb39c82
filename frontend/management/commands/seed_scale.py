"""`manage.py seed_scale`: the service at national scale, for benchmarks only (frontend.scale)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from frontend import scale


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with the service at national scale (10,000 brokers, 100,000 listings in 4,000 "
        "organisations, 64,000 clients, 100,000 plans, 110,000 messages by default), for benchmarks. "
        f"Every account's password is {scale.SCALE_PASSWORD}: never run it against real data."
    )

    def add_arguments(self, parser: Any) -> None:
        defaults = scale.Sizes()
        for name in ("brokers", "listings", "organizations", "clients", "plans", "messages", "reviewers", "ready"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))

    def handle(self, *args: Any, **options: Any) -> None:
        if not scale.database_is_empty():
            raise CommandError(
                "seed_scale fills an empty database only (this one has accounts): "
                "create a new database, migrate it, then run seed_scale."
            )
        sizes = scale.Sizes(**{name: options[name] for name in scale.Sizes.__dataclass_fields__})
        started = time.perf_counter()
        scale.Seeder(
            sizes, log=lambda text: self.stdout.write(f"  {text} ({time.perf_counter() - started:.0f} s)")
        ).run()
        scale.vacuum_analyze()
        self.stdout.write(self.style.SUCCESS(f"Seeded at scale in {time.perf_counter() - started:.0f} s."))
