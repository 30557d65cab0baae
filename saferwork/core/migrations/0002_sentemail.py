import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0001_cache_table")]

    operations = [
        migrations.CreateModel(
            name="SentEmail",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("day", models.DateField(default=django.utils.timezone.localdate)),
            ],
            options={"indexes": [models.Index(fields=["day"], name="core_sentemail_day_idx")]},
        ),
    ]
