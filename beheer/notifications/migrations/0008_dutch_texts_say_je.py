"""Dutch addresses the reader with "je": built-in Dutch notification texts that an administrator
saved unchanged (a copy of the old built-in text that said "u"/"uw") follow the new built-in text.
Texts an administrator edited are left alone."""

from django.db import migrations

# event -> part -> (the old built-in Dutch text, the new one)
CHANGES = {
    "article_acknowledgement_due": {
        "body": (
            "Beste {{ recipient_name }},\n"
            "\n"
            "Op {{ published_on }} is versie {{ version_number }} van {{ "
            "article_title }} gepubliceerd. U hebt nog niet bevestigd dat u "
            "deze versie gelezen hebt.\n"
            "\n"
            "{% if change_note %}Wat is er veranderd:\n"
            "{{ change_note }}\n"
            "\n"
            "{% endif %}Lees de tekst en klik op de pagina op “Ik heb deze "
            "versie gelezen”:\n"
            "{{ link_url }}\n",
            "Beste {{ recipient_name }},\n"
            "\n"
            "Op {{ published_on }} is versie {{ version_number }} van {{ "
            "article_title }} gepubliceerd. Je hebt nog niet bevestigd dat je "
            "deze versie gelezen hebt.\n"
            "\n"
            "{% if change_note %}Wat is er veranderd:\n"
            "{{ change_note }}\n"
            "\n"
            "{% endif %}Lees de tekst en klik op de pagina op “Ik heb deze "
            "versie gelezen”:\n"
            "{{ link_url }}\n",
        ),
        "subject": (
            "Herinnering: bevestig dat u {{ article_title }} gelezen hebt",
            "Herinnering: bevestig dat je {{ article_title }} gelezen hebt",
        ),
    },
    "article_changed": {
        "body": (
            "Beste {{ recipient_name }},\n"
            "\n"
            "Er is een nieuwe versie van {{ article_title }} gepubliceerd (versie {{ "
            "version_number }}).\n"
            "\n"
            "{% if change_note %}Wat is er veranderd:\n"
            "{{ change_note }}\n"
            "\n"
            "{% endif %}{% if acknowledgement_required == 'yes' %}Lees de nieuwe versie en "
            "bevestig op de pagina dat u hem gelezen hebt.\n"
            "\n"
            "{% endif %}{{ link_url }}\n",
            "Beste {{ recipient_name }},\n"
            "\n"
            "Er is een nieuwe versie van {{ article_title }} gepubliceerd (versie {{ "
            "version_number }}).\n"
            "\n"
            "{% if change_note %}Wat is er veranderd:\n"
            "{{ change_note }}\n"
            "\n"
            "{% endif %}{% if acknowledgement_required == 'yes' %}Lees de nieuwe versie en "
            "bevestig op de pagina dat je hem gelezen hebt.\n"
            "\n"
            "{% endif %}{{ link_url }}\n",
        )
    },
    "assigned_to_you": {
        "body": (
            "Beste {{ recipient_name }},\n"
            "\n"
            "{{ assigned_by }} heeft melding {{ melding_number }} aan u toegewezen.\n"
            "\n"
            "Korte omschrijving: {{ brief_description }}\n"
            "Behandelaarsgroep: {{ operator_group }}\n"
            "Prioriteit: {{ priority }}\n"
            "\n"
            "{{ link_url }}\n",
            "Beste {{ recipient_name }},\n"
            "\n"
            "{{ assigned_by }} heeft melding {{ melding_number }} aan jou toegewezen.\n"
            "\n"
            "Korte omschrijving: {{ brief_description }}\n"
            "Behandelaarsgroep: {{ operator_group }}\n"
            "Prioriteit: {{ priority }}\n"
            "\n"
            "{{ link_url }}\n",
        ),
        "subject": (
            "Melding {{ melding_number }} is aan u toegewezen: {{ brief_description }}",
            "Melding {{ melding_number }} is aan jou toegewezen: {{ brief_description }}",
        ),
    },
    "melding_registered": {
        "body": (
            "Beste {{ recipient_name }},\n"
            "\n"
            "Wij hebben uw melding ontvangen en geregistreerd onder nummer {{ "
            "melding_number }}.\n"
            "\n"
            "Korte omschrijving: {{ brief_description }}\n"
            "\n"
            "Noem dit nummer als u contact met ons opneemt. U kunt de voortgang volgen "
            "via:\n"
            "{{ link_url }}\n"
            "\n"
            "Met vriendelijke groet,\n"
            "de servicedesk\n",
            "Beste {{ recipient_name }},\n"
            "\n"
            "We hebben je melding ontvangen en geregistreerd onder nummer {{ "
            "melding_number }}.\n"
            "\n"
            "Korte omschrijving: {{ brief_description }}\n"
            "\n"
            "Noem dit nummer als je contact met ons opneemt. Je kunt de voortgang "
            "volgen via:\n"
            "{{ link_url }}\n"
            "\n"
            "Met vriendelijke groet,\n"
            "de servicedesk\n",
        ),
        "subject": (
            "Uw melding {{ melding_number }} is geregistreerd: {{ brief_description }}",
            "Je melding {{ melding_number }} is geregistreerd: {{ brief_description }}",
        ),
    },
    "operator_reply": {
        "body": (
            "Beste {{ recipient_name }},\n"
            "\n"
            "{{ operator_name }} heeft gereageerd op uw melding {{ melding_number }}:\n"
            "\n"
            "{{ reply_text }}\n"
            "\n"
            "U kunt antwoorden op deze e-mail of de melding bekijken via:\n"
            "{{ link_url }}\n"
            "\n"
            "Met vriendelijke groet,\n"
            "de servicedesk\n",
            "Beste {{ recipient_name }},\n"
            "\n"
            "{{ operator_name }} heeft gereageerd op je melding {{ melding_number }}:\n"
            "\n"
            "{{ reply_text }}\n"
            "\n"
            "Je kunt antwoorden op deze e-mail of de melding bekijken via:\n"
            "{{ link_url }}\n"
            "\n"
            "Met vriendelijke groet,\n"
            "de servicedesk\n",
        ),
        "subject": (
            "Reactie op uw melding {{ melding_number }}: {{ brief_description }}",
            "Reactie op je melding {{ melding_number }}: {{ brief_description }}",
        ),
    },
    "status_changed": {
        "body": (
            "Beste {{ recipient_name }},\n"
            "\n"
            "{% if status_kind == 'resolved' %}Uw melding {{ melding_number }} ({{ "
            "brief_description }}) is afgemeld.\n"
            "\n"
            "{% if solution_text %}Oplossing:\n"
            "{{ solution_text }}\n"
            "\n"
            "{% endif %}Is het probleem niet opgelost? Laat het ons weten via de link "
            "hieronder; anders wordt de melding vanzelf afgesloten.\n"
            "{% elif status_kind == 'waiting' %}Voor uw melding {{ melding_number }} ({{ "
            "brief_description }}) hebben wij informatie van u nodig. Wilt u reageren via "
            "de link hieronder of door deze e-mail te beantwoorden?\n"
            "{% else %}De status van uw melding {{ melding_number }} ({{ brief_description "
            "}}) is nu: {{ status }}.\n"
            "{% endif %}\n"
            "{{ link_url }}\n"
            "\n"
            "Met vriendelijke groet,\n"
            "de servicedesk\n",
            "Beste {{ recipient_name }},\n"
            "\n"
            "{% if status_kind == 'resolved' %}Je melding {{ melding_number }} ({{ "
            "brief_description }}) is afgemeld.\n"
            "\n"
            "{% if solution_text %}Oplossing:\n"
            "{{ solution_text }}\n"
            "\n"
            "{% endif %}Is het probleem niet opgelost? Laat het ons weten via de link "
            "hieronder; anders wordt de melding vanzelf afgesloten.\n"
            "{% elif status_kind == 'waiting' %}Voor je melding {{ melding_number }} ({{ "
            "brief_description }}) hebben we informatie van je nodig. Wil je reageren via "
            "de link hieronder of door deze e-mail te beantwoorden?\n"
            "{% else %}De status van je melding {{ melding_number }} ({{ brief_description "
            "}}) is nu: {{ status }}.\n"
            "{% endif %}\n"
            "{{ link_url }}\n"
            "\n"
            "Met vriendelijke groet,\n"
            "de servicedesk\n",
        ),
        "subject": (
            "{% if status_kind == 'resolved' %}Uw melding {{ melding_number }} is "
            "afgemeld{% elif status_kind == 'waiting' %}Wij wachten op uw reactie: {{ "
            "melding_number }}{% else %}Uw melding {{ melding_number }}: {{ status }}{% "
            "endif %}",
            "{% if status_kind == 'resolved' %}Je melding {{ melding_number }} is "
            "afgemeld{% elif status_kind == 'waiting' %}We wachten op je reactie: {{ "
            "melding_number }}{% else %}Je melding {{ melding_number }}: {{ status }}{% "
            "endif %}",
        ),
    },
}


def use_new_texts(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for event, parts in CHANGES.items():
        for part, (old, new) in parts.items():
            NotificationTemplate.objects.filter(event=event, language="nl", **{part: old}).update(
                **{part: new}
            )


def use_old_texts(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for event, parts in CHANGES.items():
        for part, (old, new) in parts.items():
            NotificationTemplate.objects.filter(event=event, language="nl", **{part: new}).update(
                **{part: old}
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_outbox_expiry_discard_attachments")]

    operations = [migrations.RunPython(use_new_texts, use_old_texts)]
