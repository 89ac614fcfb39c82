"""Every deployment starts with version 1 of the Quality Charter, so brokers can sign from day one."""

import datetime

from django.db import migrations


def seed_charter(apps, schema_editor):
    from charter.principles import CHARTER_INTRODUCTION, CHARTER_TITLE, PRINCIPLES

    CharterVersion = apps.get_model("charter", "CharterVersion")
    Principle = apps.get_model("charter", "Principle")
    if CharterVersion.objects.exists():
        return
    charter = CharterVersion.objects.create(
        version=1, title=CHARTER_TITLE, introduction=CHARTER_INTRODUCTION, published_on=datetime.date(2025, 1, 6)
    )
    for position, principle in enumerate(PRINCIPLES):
        Principle.objects.create(charter=charter, position=position, **principle)


class Migration(migrations.Migration):
    dependencies = [("charter", "0001_initial")]

    operations = [migrations.RunPython(seed_charter, migrations.RunPython.noop)]
