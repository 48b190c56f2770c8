# The e-mail intake's models, moved here from the servicedesk without copying: the tables keep
# their names (servicedesk_mailbox, servicedesk_mailrule, servicedesk_inboundmessage,
# servicedesk_deadletter). An installation that ran servicedesk 0013 has the tables and keeps its
# rows; they are created here only where they do not exist yet. Reversing leaves the tables to the
# servicedesk (its 0024 gives the models back), so they are never dropped here.
#
# What else named the models by their old app moves with them: their content types (so the admin's
# permissions and log entries keep pointing at them) and the stored state of the periodic job that
# reads the mailboxes (servicedesk.poll_mailboxes, now mailintake.poll_mailboxes).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ('mailbox', 'mailrule', 'inboundmessage', 'deadletter')
OLD_JOB = 'servicedesk.poll_mailboxes'
NEW_JOB = 'mailintake.poll_mailboxes'


def create_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ('Mailbox', 'MailRule', 'InboundMessage', 'DeadLetter'):
        model = apps.get_model('mailintake', name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)
    ContentType.objects.clear_cache()


def content_types_to_mailintake(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'servicedesk', 'mailintake')


def content_types_to_servicedesk(apps, schema_editor):
    _move_content_types(apps, schema_editor, 'mailintake', 'servicedesk')


def _rename_job(apps, schema_editor, old, new):
    runs = apps.get_model('core', 'ScheduledRun').objects.using(schema_editor.connection.alias)
    if not runs.filter(name=new).exists():
        runs.filter(name=old).update(name=new)
    runs.filter(name=old).delete()


def job_to_mailintake(apps, schema_editor):
    _rename_job(apps, schema_editor, OLD_JOB, NEW_JOB)


def job_to_servicedesk(apps, schema_editor):
    _rename_job(apps, schema_editor, NEW_JOB, OLD_JOB)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_person_history_and_login_throttle'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0004_scheduled_run_failures'),
        ('servicedesk', '0024_mail_intake_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Mailbox',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('host', models.CharField(max_length=255, verbose_name='host')),
                        ('port', models.PositiveIntegerField(default=993, verbose_name='port')),
                        ('security', models.CharField(choices=[('tls', 'TLS (port 993)'), ('starttls', 'STARTTLS (port 143)')], default='tls', max_length=10, verbose_name='security')),
                        ('ca_certificate', models.TextField(blank=True, help_text='Only for a server with a certificate from a private CA; leave empty otherwise.', verbose_name='trusted CA certificate (PEM)')),
                        ('username', models.CharField(max_length=255, verbose_name='user name')),
                        ('auth', models.CharField(choices=[('password', 'User name and password'), ('xoauth2', 'OAuth 2.0 (Microsoft 365, Google Workspace)')], default='password', max_length=10, verbose_name='sign-in')),
                        ('secret_encrypted', models.TextField(blank=True)),
                        ('oauth_client_id', models.CharField(blank=True, max_length=255, verbose_name='OAuth client ID')),
                        ('oauth_client_secret_encrypted', models.TextField(blank=True)),
                        ('oauth_token_url', models.URLField(blank=True, max_length=500, verbose_name='OAuth token endpoint')),
                        ('oauth_scope', models.CharField(blank=True, max_length=500, verbose_name='OAuth scope')),
                        ('access_token_encrypted', models.TextField(blank=True)),
                        ('access_token_expires_at', models.DateTimeField(blank=True, null=True)),
                        ('folder', models.CharField(default='INBOX', max_length=200, verbose_name='folder')),
                        ('after_processing', models.CharField(choices=[('move', 'Move to a folder'), ('flag', 'Mark as read and flag')], default='move', max_length=10, verbose_name='after processing')),
                        ('processed_folder', models.CharField(default='Beheer', max_length=200, verbose_name='folder for processed messages')),
                        ('rate_limit_count', models.PositiveIntegerField(default=20, help_text='More new calls than this from one address within the period go to the dead letters.', verbose_name='new calls per sender')),
                        ('rate_limit_minutes', models.PositiveIntegerField(default=60, verbose_name='period (minutes)')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('last_poll_at', models.DateTimeField(blank=True, null=True, verbose_name='last checked')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('uidvalidity', models.BigIntegerField(blank=True, null=True)),
                        ('last_seen_uid', models.BigIntegerField(default=0)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('updated_at', models.DateTimeField(blank=True, null=True)),
                        ('default_call_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicedesk.calltype', verbose_name='call type')),
                        ('default_category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicedesk.category', verbose_name='category')),
                        ('default_operator_group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.operatorgroup', verbose_name='operator group')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'mailbox',
                        'verbose_name_plural': 'mailboxes',
                        'db_table': 'servicedesk_mailbox',
                        'ordering': ['name', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='InboundMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message_key', models.CharField(max_length=255)),
                        ('uid', models.BigIntegerField(blank=True, null=True)),
                        ('received_at', models.DateTimeField()),
                        ('sender', models.CharField(blank=True, max_length=254)),
                        ('subject', models.CharField(blank=True, max_length=255)),
                        ('outcome', models.CharField(choices=[('melding', 'New call'), ('reply', 'Reply on a call'), ('ignored', 'Ignored'), ('dead_letter', 'Dead letter')], max_length=12)),
                        ('ignore_reason', models.CharField(blank=True, max_length=40)),
                        ('melding', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='servicedesk.melding')),
                        ('note', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='servicedesk.note')),
                        ('mailbox', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mailintake.mailbox')),
                    ],
                    options={
                        'db_table': 'servicedesk_inboundmessage',
                        'indexes': [
                            models.Index(fields=['sender', 'outcome', 'received_at'], name='inbound_sender_rate'),
                            models.Index(fields=['melding'], name='inbound_melding'),
                        ],
                        'constraints': [
                            models.UniqueConstraint(fields=('message_key',), name='uniq_inbound_message_key'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='DeadLetter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('raw', models.BinaryField()),
                        ('raw_size', models.PositiveBigIntegerField(default=0)),
                        ('truncated', models.BooleanField(default=False)),
                        ('sender', models.CharField(blank=True, max_length=254, verbose_name='sender')),
                        ('subject', models.CharField(blank=True, max_length=255, verbose_name='subject')),
                        ('reason', models.CharField(max_length=40, verbose_name='reason')),
                        ('detail', models.TextField(blank=True, verbose_name='detail')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('retried', 'Retried'), ('converted', 'Turned into a call'), ('discarded', 'Discarded')], default='open', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(verbose_name='received')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('melding', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='servicedesk.melding')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('inbound', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='dead_letter', to='mailintake.inboundmessage')),
                        ('mailbox', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mailintake.mailbox')),
                    ],
                    options={
                        'verbose_name': 'dead letter',
                        'verbose_name_plural': 'dead letters',
                        'db_table': 'servicedesk_deadletter',
                        'indexes': [
                            models.Index(fields=['status', 'created_at', 'id'], name='deadletter_status_created'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='MailRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveIntegerField(default=10, verbose_name='order')),
                        ('match_field', models.CharField(choices=[('sender', 'Sender address'), ('domain', 'Sender domain'), ('subject', 'Subject (regular expression)')], max_length=10, verbose_name='match on')),
                        ('pattern', models.CharField(max_length=200, verbose_name='value')),
                        ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='servicedesk.category', verbose_name='category')),
                        ('mailbox', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='mailintake.mailbox')),
                        ('operator_group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.operatorgroup', verbose_name='operator group')),
                    ],
                    options={
                        'db_table': 'servicedesk_mailrule',
                        'ordering': ['mailbox', 'order', 'id'],
                        'indexes': [models.Index(fields=['mailbox', 'order'], name='mailrule_mailbox_order')],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_tables, migrations.RunPython.noop),
        migrations.RunPython(content_types_to_mailintake, content_types_to_servicedesk),
        migrations.RunPython(job_to_mailintake, job_to_servicedesk),
    ]
