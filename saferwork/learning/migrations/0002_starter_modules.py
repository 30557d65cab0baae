from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from saferwork.learning import starter

    starter.load(apps)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
