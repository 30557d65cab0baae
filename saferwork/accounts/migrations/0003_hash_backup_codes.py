"""Backup codes stored in clear before this migration are replaced by their keyed hash."""

from django.db import migrations


def hash_clear_backup_codes(apps, schema_editor):
    from saferwork.accounts.backup_codes import hash_backup_code, is_clear_code

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.select_related("device").iterator():
        if is_clear_code(token.token):
            token.token = hash_backup_code(token.device.user_id, token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # A hash cannot be turned back into the code: going backwards leaves them hashed.
    operations = [migrations.RunPython(hash_clear_backup_codes, migrations.RunPython.noop)]
