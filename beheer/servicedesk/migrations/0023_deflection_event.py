# The portal deflection records, moved here from the knowledge base without copying: the table keeps
# its name (knowledge_deflectionevent). An installation that ran knowledge 0005 before the move has
# the table and keeps its rows; a new one gets the table here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def create_table(apps, schema_editor):
    model = apps.get_model("servicedesk", "DeflectionEvent")
    if model._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(model)


def drop_table(apps, schema_editor):
    model = apps.get_model("servicedesk", "DeflectionEvent")
    if model._meta.db_table in schema_editor.connection.introspection.table_names():
        schema_editor.delete_model(model)


class Migration(migrations.Migration):

    dependencies = [
        ('servicedesk', '0022_default_policy_in_dutch'),
        ('knowledge', '0005_suggestions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DeflectionEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(max_length=64)),
                        ('query', models.CharField(blank=True, max_length=200, verbose_name='query')),
                        ('shown_article_ids', models.JSONField(default=list)),
                        ('clicked_article_ids', models.JSONField(default=list)),
                        ('submitted', models.BooleanField(default=False, verbose_name='submitted')),
                        ('created_at', models.DateTimeField(verbose_name='created')),
                        ('updated_at', models.DateTimeField(verbose_name='updated')),
                        ('melding', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='servicedesk.melding')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='caller')),
                    ],
                    options={
                        'verbose_name': 'deflection event',
                        'verbose_name_plural': 'deflection events',
                        'db_table': 'knowledge_deflectionevent',
                        'indexes': [models.Index(fields=['created_at'], name='kb_deflection_created')],
                        'constraints': [models.UniqueConstraint(fields=('user', 'token'), name='kb_deflection_token_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_table, drop_table),
    ]
