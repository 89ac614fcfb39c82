"""Production settings refuse to start unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "a1b2c3d4e5f6g7h8" * 4


def load_prod_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.prod", **env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_production_starts_with_a_real_key_and_debug_off():
    result = load_prod_settings(SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "env,message",
    [
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": "insecure-dev-only-key-change-me"}, "SECRET_KEY must be"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be"),
        ({}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_unsafe(env, message):
    result = load_prod_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
