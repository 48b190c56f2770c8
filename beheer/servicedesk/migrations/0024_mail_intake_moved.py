# The e-mail intake (Mailbox, MailRule, InboundMessage, DeadLetter) moved to its own app, mailintake,
# without copying: only the servicedesk's record of the models goes here. Their tables stay as they
# are (servicedesk_mailbox, servicedesk_mailrule, servicedesk_inboundmessage, servicedesk_deadletter)
# and mailintake 0001 takes them over under the same names.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('servicedesk', '0023_deflection_event'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DeadLetter'),
                migrations.DeleteModel(name='InboundMessage'),
                migrations.DeleteModel(name='MailRule'),
                migrations.DeleteModel(name='Mailbox'),
            ],
        ),
    ]
