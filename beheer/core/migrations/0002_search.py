from django.db import migrations


def create_search(apps, schema_editor):
    from beheer.core.search import CREATE_POSTGRES, CREATE_SQLITE

    with schema_editor.connection.cursor() as cur:
        if schema_editor.connection.vendor == "postgresql":
            for sql in CREATE_POSTGRES:
                cur.execute(sql)
        else:
            cur.execute(CREATE_SQLITE)


def drop_search(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        if schema_editor.connection.vendor == "postgresql":
            cur.execute("DROP TABLE IF EXISTS core_search")
        else:
            cur.execute("DROP TABLE IF EXISTS core_search_fts")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_search, drop_search)]
