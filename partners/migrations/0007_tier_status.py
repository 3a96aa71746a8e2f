"""The programme membership is the organisation's tier: its status is tier_status, so that
"membership" means only a person in an organisation or an organisation in a workstream. The
audit trail's earlier events take the new action name so a history filters on one word."""

from django.db import migrations, models

OLD_ACTION, NEW_ACTION = "organisation.membership_status", "organisation.tier_status"


def rename_action(apps, schema_editor, old=OLD_ACTION, new=NEW_ACTION):
    apps.get_model("audit", "AuditEvent").objects.filter(action=old).update(action=new)


def restore_action(apps, schema_editor):
    rename_action(apps, schema_editor, old=NEW_ACTION, new=OLD_ACTION)


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0006_single_line_names"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="organisation", old_name="membership_status",
                               new_name="tier_status"),
        migrations.AlterField(
            model_name="organisation",
            name="tier_status",
            field=models.CharField(
                choices=[("none", "No membership"), ("new", "New"), ("current", "Current"),
                         ("grace", "In grace period"), ("expired", "Expired")],
                default="none", max_length=20),
        ),
        migrations.RunPython(rename_action, restore_action),
    ]
