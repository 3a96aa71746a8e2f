"""PostgreSQL's unaccent extension, which the partner directory's search uses so that "méridian"
finds "Meridian" (cluster_portal.core.search). It is a trusted extension (PostgreSQL 13 and
later), so the database's owner creates it without superuser rights. SQLite, `make run`'s
database, gets the same function from Python instead (core.search.register_sqlite_functions).
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class UnaccentOnPostgreSQL(UnaccentExtension):
    # Django's operation skips other databases going forwards, not backwards.
    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [UnaccentOnPostgreSQL()]
