# Problem management's models, moved here from the servicedesk without copying: Problem and
# ProblemHistoryEntry keep their tables (servicedesk_problem, servicedesk_problemhistoryentry), and the
# link of a melding to its problem (ProblemMelding, problems_problemmelding) was created and filled
# from the melding's old column by servicedesk 0025. An installation that ran those has the tables and
# keeps its rows; they are created here only where they do not exist yet. Reversing leaves the tables
# to the servicedesk (its 0025 gives the models and the column back), so they are never dropped here.
#
# The models' content types move with them (so the admin's permissions and log entries keep pointing
# at them).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ('problem', 'problemhistoryentry')


def create_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ('Problem', 'ProblemHistoryEntry', 'ProblemMelding'):
        model = apps.get_model('problems', name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)
    ContentType.objects.clear_cache()


def content_types_to_problems(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'servicedesk', 'problems')


def content_types_to_servicedesk(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'problems', 'servicedesk')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_person_history_and_login_throttle'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('knowledge', '0006_attachment_version'),
        ('servicedesk', '0025_problems_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Problem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('status', models.CharField(choices=[('registered', 'Registered'), ('analysing', 'Analysing'), ('known_error', 'Known error'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='registered', max_length=20, verbose_name='status')),
                        ('root_cause', models.TextField(blank=True, verbose_name='root-cause analysis')),
                        ('workaround', models.TextField(blank=True, verbose_name='workaround')),
                        ('solution', models.TextField(blank=True, verbose_name='solution')),
                        ('created_at', models.DateTimeField(verbose_name='registered')),
                        ('updated_at', models.DateTimeField(verbose_name='last change')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registered by')),
                        ('impact', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicedesk.impact', verbose_name='impact')),
                        ('known_error_article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='problems', to='knowledge.article', verbose_name='known-error article')),
                        ('operator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_problems', to=settings.AUTH_USER_MODEL, verbose_name='operator')),
                        ('operator_group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='accounts.operatorgroup', verbose_name='operator group')),
                        ('priority', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicedesk.priority', verbose_name='priority')),
                        ('urgency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicedesk.urgency', verbose_name='urgency')),
                    ],
                    options={
                        'verbose_name': 'problem',
                        'verbose_name_plural': 'problems',
                        'db_table': 'servicedesk_problem',
                    },
                ),
                migrations.CreateModel(
                    name='ProblemHistoryEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField()),
                        ('action', models.CharField(max_length=40)),
                        ('field', models.CharField(blank=True, max_length=40)),
                        ('old_value', models.TextField(blank=True)),
                        ('new_value', models.TextField(blank=True)),
                        ('detail', models.TextField(blank=True)),
                        ('old_value_en', models.TextField(blank=True)),
                        ('new_value_en', models.TextField(blank=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('problem', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='problems.problem')),
                    ],
                    options={
                        'db_table': 'servicedesk_problemhistoryentry',
                    },
                ),
                migrations.CreateModel(
                    name='ProblemMelding',
                    fields=[
                        ('melding', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='problem_link', serialize=False, to='servicedesk.melding', verbose_name='call')),
                        ('linked_at', models.DateTimeField(verbose_name='linked')),
                        ('linked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='linked by')),
                        ('problem', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='melding_links', to='problems.problem', verbose_name='problem')),
                    ],
                    options={
                        'verbose_name': 'problem link',
                        'verbose_name_plural': 'problem links',
                    },
                ),
                migrations.AddIndex(
                    model_name='problem',
                    index=models.Index(fields=['-updated_at', '-id'], name='p_updated'),
                ),
                migrations.AddIndex(
                    model_name='problem',
                    index=models.Index(fields=['status', '-updated_at', '-id'], name='p_status_updated'),
                ),
                migrations.AddIndex(
                    model_name='problem',
                    index=models.Index(fields=['operator_group', '-updated_at', '-id'], name='p_group_updated'),
                ),
                migrations.AddIndex(
                    model_name='problem',
                    index=models.Index(fields=['operator', '-updated_at', '-id'], name='p_operator_updated'),
                ),
                migrations.AddConstraint(
                    model_name='problem',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['registered', 'analysing', 'known_error', 'resolved', 'closed'])), name='problem_status_valid'),
                ),
                migrations.AddIndex(
                    model_name='problemhistoryentry',
                    index=models.Index(fields=['problem', 'at', 'id'], name='p_history_at'),
                ),
            ],
        ),
        migrations.RunPython(create_tables, migrations.RunPython.noop),
        migrations.RunPython(content_types_to_problems, content_types_to_servicedesk),
    ]
