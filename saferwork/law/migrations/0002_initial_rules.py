"""The rules as known when this was written. Programme admins correct them in the app."""

import datetime

from django.db import migrations

RULES = [
    {
        "key": "tribunal_time_limit_months",
        "value": 3,
        "applies_from": datetime.date(1900, 1, 1),
        "summary": "Most Employment Tribunal claims, including sexual harassment under the Equality Act 2010, "
        "must start within three months less one day of the last act complained of.",
        "source_title": "Equality Act 2010, section 123(1)(a)",
        "source_url": "https://www.legislation.gov.uk/ukpga/2010/15/section/123",
        "confirmed": True,
    },
    {
        "key": "tribunal_time_limit_months",
        "value": 6,
        "applies_from": datetime.date(2026, 10, 1),
        "summary": "The Employment Rights Act 2025 raises most Employment Tribunal time limits from three months "
        "to six months.",
        "source_title": "Employment Rights Act 2025, section 152 and Schedule 12",
        "source_url": "https://www.legislation.gov.uk/ukpga/2025/36/section/152",
        # The government's roadmap (July 2025) places this in October 2026; the date is
        # the expected one until the commencement regulations are checked and it is confirmed here.
        "confirmed": False,
        "note": "Expected date from the government's Employment Rights Act roadmap. Check the commencement "
        "regulations and their transitional provisions, then confirm or correct this row.",
    },
    {
        "key": "early_conciliation_weeks",
        "value": 6,
        "applies_from": datetime.date(2014, 4, 6),
        "summary": "ACAS early conciliation must come before most claims; its period pauses the time limit.",
        "source_title": "Employment Tribunals Act 1996, section 18A; Early Conciliation Rules of Procedure 2014",
        "source_url": "https://www.legislation.gov.uk/ukpga/1996/17/section/18A",
        "confirmed": True,
    },
    {
        "key": "early_conciliation_weeks",
        "value": 12,
        "applies_from": datetime.date(2025, 12, 1),
        "summary": "The early conciliation period is 12 weeks for conciliation started on or after 1 December 2025.",
        "source_title": "The Employment Tribunals (Early Conciliation: Exemptions and Rules of Procedure) "
        "(Amendment) Regulations 2025",
        "source_url": "",
        "confirmed": True,
    },
]


def add_rules(apps, schema_editor):
    LegalRule = apps.get_model("law", "LegalRule")
    for rule in RULES:
        LegalRule.objects.get_or_create(key=rule["key"], applies_from=rule["applies_from"], defaults=rule)


class Migration(migrations.Migration):
    dependencies = [("law", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
