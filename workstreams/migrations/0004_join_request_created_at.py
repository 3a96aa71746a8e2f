from django.db import migrations, models


class Migration(migrations.Migration):
    """One timestamp convention: a join request's creation is created_at, as every other
    model's (shown as "requested at")."""

    dependencies = [
        ("workstreams", "0003_document_private_storage"),
    ]

    operations = [
        migrations.RenameField(
            model_name="joinrequest",
            old_name="requested_at",
            new_name="created_at",
        ),
        migrations.AlterField(
            model_name="joinrequest",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
        ),
        migrations.AlterModelOptions(
            name="joinrequest",
            options={"ordering": ["-created_at", "-pk"]},
        ),
    ]
