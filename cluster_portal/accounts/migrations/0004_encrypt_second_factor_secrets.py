"""TOTP secrets and recovery-code seeds stored before they were encrypted are encrypted now."""

from django.db import migrations

SECRET_FIELDS = {"totp": "secret", "recovery_codes": "seed"}


def encrypt_existing(apps, schema_editor):
    from cluster_portal.accounts.mfa_adapter import PREFIX, MFAAdapter

    adapter = MFAAdapter()
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_FIELDS):
        field = SECRET_FIELDS[authenticator.type]
        value = authenticator.data.get(field)
        if value and not value.startswith(PREFIX):
            authenticator.data[field] = adapter.encrypt(value)
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_single_line_names"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_existing, migrations.RunPython.noop)]
