import io

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache holds rate-limit counters; it must exist wherever the
    # schema does, including every test database.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0, stdout=io.StringIO())


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
