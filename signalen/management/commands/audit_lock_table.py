"""Give the application's database role its rights, and on the audit table only SELECT/INSERT.

Run by the owner role (the one that runs ``migrate``) after every migrate:

    manage.py audit_lock_table --app-role portal_app

The application then connects as ``portal_app``. PostgreSQL refuses that role UPDATE,
DELETE and TRUNCATE on the audit table, whatever the application does; only the owner
could change the table, and the keyed chain with its anchors shows when it did.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg2 import sql

from signalen.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Grant the application's database role normal rights on every table and only "
        "SELECT and INSERT on the signalen audit table. Run as the owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="The role the application uses.")

    def handle(self, *args, app_role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Alleen PostgreSQL kent aparte rechten per rol.")
        table = AuditEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [app_role]
            )
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"De databaserol {app_role} bestaat niet.")
            if row[0]:
                raise CommandError(f"{app_role} is superuser; die rol kan alles, ook het auditlog.")
            cursor.execute(
                "SELECT tableowner, current_user, current_schema() FROM pg_tables "
                "WHERE tablename = %s AND schemaname = current_schema()",
                [table],
            )
            owner, current, schema = cursor.fetchone()
            if owner == app_role or app_role == current:
                raise CommandError(
                    f"{app_role} is de eigenaar van {table}; gebruik een aparte rol voor de "
                    "applicatie en draai migraties als de eigenaar."
                )
            cursor.execute("SELECT pg_has_role(%s, %s, 'USAGE')", [app_role, owner])
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"{app_role} is lid van de eigenaar {owner} en erft daarmee al zijn rechten."
                )
            role, schema_id, audit = (
                sql.Identifier(app_role),
                sql.Identifier(schema),
                sql.Identifier(schema, table),
            )
            statements = [
                "GRANT USAGE ON SCHEMA {schema} TO {role}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
                "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
                # Tables a later migration creates get the same normal rights.
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
                "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
                # The audit table: read and append, nothing else, for this role and for everyone.
                "REVOKE ALL ON {audit} FROM {role}",
                "REVOKE ALL ON {audit} FROM PUBLIC",
                "GRANT SELECT, INSERT ON {audit} TO {role}",
            ]
            with transaction.atomic():
                for statement in statements:
                    cursor.execute(
                        sql.SQL(statement).format(role=role, schema=schema_id, audit=audit)
                    )
        self.stdout.write(
            self.style.SUCCESS(
                f"{app_role}: normale rechten op alle tabellen, op {table} alleen SELECT en INSERT."
            )
        )
