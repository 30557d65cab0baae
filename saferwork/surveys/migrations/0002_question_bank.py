from typing import Any

from django.db import migrations


def load_bank(apps: Any, schema_editor: Any) -> None:
    from saferwork.surveys import bank

    bank.load(apps.get_model("surveys", "QuestionItem"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load_bank, migrations.RunPython.noop)]
