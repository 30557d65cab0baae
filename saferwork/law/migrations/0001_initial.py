from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="LegalRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "key",
                    models.CharField(
                        choices=[
                            ("tribunal_time_limit_months", "Employment Tribunal time limit (months)"),
                            ("early_conciliation_weeks", "ACAS early conciliation period (weeks)"),
                        ],
                        max_length=60,
                    ),
                ),
                ("value", models.PositiveIntegerField()),
                ("applies_from", models.DateField(help_text="The rule applies to events on or after this date.")),
                ("summary", models.CharField(max_length=300)),
                ("source_title", models.CharField(max_length=300)),
                ("source_url", models.URLField(blank=True, max_length=500)),
                (
                    "confirmed",
                    models.BooleanField(
                        default=True, help_text="Untick while the date is only expected, not yet fixed by regulations."
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["key", "applies_from"]},
        ),
        migrations.AddConstraint(
            model_name="legalrule",
            constraint=models.UniqueConstraint(fields=("key", "applies_from"), name="one_rule_value_per_date"),
        ),
    ]
