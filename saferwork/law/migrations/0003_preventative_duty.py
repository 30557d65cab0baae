"""The preventative duty (Equality Act 2010 s.40A) as dated law: which test applied on a day."""

import datetime

from django.db import migrations, models

RULES = [
    {
        "key": "preventative_duty",
        "value": 0,
        "applies_from": datetime.date(1900, 1, 1),
        "summary": "Before 26 October 2024 employers had no specific duty to prevent sexual harassment of their "
        "workers (the reasonable-steps defence to liability applied instead).",
        "source_title": "Equality Act 2010, section 109(4)",
        "source_url": "https://www.legislation.gov.uk/ukpga/2010/15/section/109",
        "confirmed": True,
    },
    {
        "key": "preventative_duty",
        "value": 1,
        "applies_from": datetime.date(2024, 10, 26),
        "summary": "Employers must take reasonable steps to prevent sexual harassment of their employees in the "
        "course of their employment.",
        "source_title": "Worker Protection (Amendment of Equality Act 2010) Act 2023, inserting section 40A into "
        "the Equality Act 2010",
        "source_url": "https://www.legislation.gov.uk/ukpga/2023/51",
        "confirmed": True,
    },
    {
        "key": "preventative_duty",
        "value": 2,
        "applies_from": datetime.date(2026, 10, 1),
        "summary": "The Employment Rights Act 2025 requires employers to take all reasonable steps, including "
        "against harassment by third parties; regulations may say which steps are reasonable.",
        "source_title": "Employment Rights Act 2025, amending the Equality Act 2010, section 40A",
        "source_url": "https://www.legislation.gov.uk/ukpga/2025/36",
        # Expected from the government's roadmap (July 2025); not checked against the
        # commencement regulations, so unconfirmed until a programme admin confirms it.
        "confirmed": False,
        "note": "Expected date from the government's Employment Rights Act roadmap. Check the commencement "
        "regulations, then confirm or correct this row.",
    },
]


def add_rules(apps, schema_editor):
    LegalRule = apps.get_model("law", "LegalRule")
    for rule in RULES:
        LegalRule.objects.get_or_create(key=rule["key"], applies_from=rule["applies_from"], defaults=rule)


class Migration(migrations.Migration):
    dependencies = [("law", "0002_initial_rules")]
    operations = [
        migrations.AlterField(
            model_name="legalrule",
            name="key",
            field=models.CharField(
                choices=[
                    ("tribunal_time_limit_months", "Employment Tribunal time limit (months)"),
                    ("early_conciliation_weeks", "ACAS early conciliation period (weeks)"),
                    (
                        "preventative_duty",
                        "Preventative duty test (0 none, 1 reasonable steps, 2 all reasonable steps)",
                    ),
                ],
                max_length=60,
            ),
        ),
        migrations.RunPython(add_rules, migrations.RunPython.noop),
    ]
