# Problem management (Problem, ProblemHistoryEntry) moved to its own app, problems, without copying:
# only the servicedesk's record of the models goes here; their tables stay as they are
# (servicedesk_problem, servicedesk_problemhistoryentry) and problems 0001 takes them over.
#
# The link from a melding to its problem was a column here (servicedesk_melding.problem_id). It is
# problem management's now: a row per linked melding in problems_problemmelding. This migration
# creates that table (problems 0001 declares its model and finds it there), copies every link into it
# (linked at and by whom from the melding's last "problem_linked" history entry, else the melding's
# last change) and then drops the column. Reversing copies the links back into the column.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COPY_LINKS = """
INSERT INTO problems_problemmelding (melding_id, problem_id, linked_at, linked_by_id)
SELECT m.id, m.problem_id,
       COALESCE((SELECT MAX(h.at) FROM servicedesk_historyentry h
                 WHERE h.melding_id = m.id AND h.action = 'problem_linked'), m.updated_at),
       (SELECT h.actor_id FROM servicedesk_historyentry h
        WHERE h.melding_id = m.id AND h.action = 'problem_linked'
        ORDER BY h.at DESC, h.id DESC LIMIT 1)
FROM servicedesk_melding m
WHERE m.problem_id IS NOT NULL
"""

COPY_BACK = """
UPDATE servicedesk_melding SET problem_id = (
    SELECT l.problem_id FROM problems_problemmelding l WHERE l.melding_id = servicedesk_melding.id
)
WHERE id IN (SELECT melding_id FROM problems_problemmelding)
"""


def copy_links(apps, schema_editor):
    schema_editor.execute(COPY_LINKS)


def copy_links_back(apps, schema_editor):
    schema_editor.execute(COPY_BACK)


class Migration(migrations.Migration):

    dependencies = [
        ('servicedesk', '0024_mail_intake_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.CreateModel(
                    name='ProblemMelding',
                    fields=[
                        ('melding', models.OneToOneField(
                            on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                            related_name='problem_link', serialize=False, to='servicedesk.melding',
                        )),
                        ('linked_at', models.DateTimeField()),
                        ('linked_by', models.ForeignKey(
                            blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                            related_name='+', to=settings.AUTH_USER_MODEL,
                        )),
                        ('problem', models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name='melding_links',
                            to='servicedesk.problem',
                        )),
                    ],
                    options={'db_table': 'problems_problemmelding'},
                ),
            ],
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.RemoveField(model_name='melding', name='problem'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='ProblemHistoryEntry'),
                migrations.DeleteModel(name='Problem'),
            ],
        ),
    ]
