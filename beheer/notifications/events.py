"""The notification events: codes, who receives them, their template variables and built-in texts.

Pure data, no ORM. Every event ships a default subject and body in Dutch and English; an administrator
may override either per language (NotificationTemplate). Domain services pass the variables listed in
`variables` as plain strings or numbers (or a {"nl": ..., "en": ...} pair where the value depends on
the recipient's language, such as a status name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("nl", "en")

DEFAULT_LANGUAGE = "nl"

# Variables every event provides (the recipient's name is filled in per recipient).
COMMON_VARIABLES: dict[str, Promise] = {
    "melding_number": _("Number of the call, e.g. M0001234"),
    "brief_description": _("Brief description of the call"),
    "link_url": _("Link to the call (portal for callers, call page for operators)"),
    "recipient_name": _("Name of the person (or group) receiving the message"),
}


@dataclass(frozen=True)
class Event:
    code: str
    label: Promise
    audience: str  # "caller" or "staff": whose preference page lists it
    variables: dict[str, Promise] = field(default_factory=dict)
    subject: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)
    about_melding: bool = True  # False: no melding number or description (a report, say)

    @property
    def all_variables(self) -> dict[str, Promise]:
        common = COMMON_VARIABLES
        if not self.about_melding:
            common = {k: v for k, v in COMMON_VARIABLES.items() if k in ("link_url", "recipient_name")}
        return {**common, **self.variables}


_SIGN_NL = "\n\nMet vriendelijke groet,\nde servicedesk\n"

_SIGN_EN = "\n\nKind regards,\nthe service desk\n"

EVENTS: dict[str, Event] = {}


def _register(event: Event) -> None:
    EVENTS[event.code] = event


_register(
    Event(
        code="melding_registered",
        label=_("Call registered (to the caller)"),
        audience="caller",
        variables={"caller_name": _("Name of the caller")},
        subject={
            "nl": "Je melding {{ melding_number }} is geregistreerd: {{ brief_description }}",
            "en": "Your call {{ melding_number }} has been registered: {{ brief_description }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "We hebben je melding ontvangen en geregistreerd onder nummer {{ melding_number }}.\n\n"
            "Korte omschrijving: {{ brief_description }}\n\n"
            "Noem dit nummer als je contact met ons opneemt. Je kunt de voortgang volgen via:\n"
            "{{ link_url }}" + _SIGN_NL,
            "en": "Dear {{ recipient_name }},\n\n"
            "We have received your call and registered it as {{ melding_number }}.\n\n"
            "Brief description: {{ brief_description }}\n\n"
            "Please quote this number when you contact us. You can follow its progress at:\n"
            "{{ link_url }}" + _SIGN_EN,
        },
    )
)

_register(
    Event(
        code="operator_reply",
        label=_("Reply from an operator (to the caller)"),
        audience="caller",
        variables={
            "caller_name": _("Name of the caller"),
            "operator_name": _("Name of the operator who replied"),
            "reply_text": _("The text of the reply"),
        },
        subject={
            "nl": "Reactie op je melding {{ melding_number }}: {{ brief_description }}",
            "en": "Reply to your call {{ melding_number }}: {{ brief_description }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "{{ operator_name }} heeft gereageerd op je melding {{ melding_number }}:\n\n"
            "{{ reply_text }}\n\n"
            "Je kunt antwoorden op deze e-mail of de melding bekijken via:\n{{ link_url }}" + _SIGN_NL,
            "en": "Dear {{ recipient_name }},\n\n"
            "{{ operator_name }} has replied to your call {{ melding_number }}:\n\n"
            "{{ reply_text }}\n\n"
            "You can reply to this e-mail or view the call at:\n{{ link_url }}" + _SIGN_EN,
        },
    )
)

_register(
    Event(
        code="status_changed",
        label=_("Status changed: waiting for you, or resolved (to the caller)"),
        audience="caller",
        variables={
            "caller_name": _("Name of the caller"),
            "status": _("Name of the new status"),
            "status_kind": _("Kind of the new status: waiting, resolved or another kind"),
            "solution_text": _("The solution, when the call is resolved"),
        },
        subject={
            "nl": "{% if status_kind == 'resolved' %}Je melding {{ melding_number }} is afgemeld"
            "{% elif status_kind == 'waiting' %}We wachten op je reactie: {{ melding_number }}"
            "{% else %}Je melding {{ melding_number }}: {{ status }}{% endif %}",
            "en": "{% if status_kind == 'resolved' %}Your call {{ melding_number }} has been resolved"
            "{% elif status_kind == 'waiting' %}We are waiting for your reply: {{ melding_number }}"
            "{% else %}Your call {{ melding_number }}: {{ status }}{% endif %}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "{% if status_kind == 'resolved' %}"
            "Je melding {{ melding_number }} ({{ brief_description }}) is afgemeld.\n\n"
            "{% if solution_text %}Oplossing:\n{{ solution_text }}\n\n{% endif %}"
            "Is het probleem niet opgelost? Laat het ons weten via de link hieronder; anders wordt de "
            "melding vanzelf afgesloten.\n"
            "{% elif status_kind == 'waiting' %}"
            "Voor je melding {{ melding_number }} ({{ brief_description }}) hebben we informatie van je "
            "nodig. Wil je reageren via de link hieronder of door deze e-mail te beantwoorden?\n"
            "{% else %}"
            "De status van je melding {{ melding_number }} ({{ brief_description }}) is nu: {{ status }}.\n"
            "{% endif %}\n{{ link_url }}" + _SIGN_NL,
            "en": "Dear {{ recipient_name }},\n\n"
            "{% if status_kind == 'resolved' %}"
            "Your call {{ melding_number }} ({{ brief_description }}) has been resolved.\n\n"
            "{% if solution_text %}Solution:\n{{ solution_text }}\n\n{% endif %}"
            "Is the problem not solved? Let us know through the link below; otherwise the call will be "
            "closed automatically.\n"
            "{% elif status_kind == 'waiting' %}"
            "We need information from you for your call {{ melding_number }} ({{ brief_description }}). "
            "Please reply through the link below or by answering this e-mail.\n"
            "{% else %}"
            "The status of your call {{ melding_number }} ({{ brief_description }}) is now: {{ status }}.\n"
            "{% endif %}\n{{ link_url }}" + _SIGN_EN,
        },
    )
)

_SLA_VARIABLES: dict[str, Promise] = {
    "target_date": _("Target date (formatted)"),
    "operator_group": _("Operator group of the call"),
    "operator_name": _("Operator of the call"),
    "priority": _("Priority of the call"),
}

_register(
    Event(
        code="sla_at_risk",
        label=_("Target date at risk (to operators and coordinators)"),
        audience="staff",
        variables=_SLA_VARIABLES,
        subject={
            "nl": "Streefdatum in gevaar: {{ melding_number }} {{ brief_description }}",
            "en": "Target date at risk: {{ melding_number }} {{ brief_description }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De streefdatum van melding {{ melding_number }} ({{ brief_description }}) komt dichtbij: "
            "{{ target_date }}.\n\n"
            "Behandelaarsgroep: {{ operator_group }}\nBehandelaar: {{ operator_name }}\n"
            "Prioriteit: {{ priority }}\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The target date of call {{ melding_number }} ({{ brief_description }}) is near: "
            "{{ target_date }}.\n\n"
            "Operator group: {{ operator_group }}\nOperator: {{ operator_name }}\n"
            "Priority: {{ priority }}\n\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="sla_breached",
        label=_("Target date passed (to operators and coordinators)"),
        audience="staff",
        variables=_SLA_VARIABLES,
        subject={
            "nl": "Streefdatum verstreken: {{ melding_number }} {{ brief_description }}",
            "en": "Target date passed: {{ melding_number }} {{ brief_description }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De streefdatum van melding {{ melding_number }} ({{ brief_description }}) is verstreken: "
            "{{ target_date }}.\n\n"
            "Behandelaarsgroep: {{ operator_group }}\nBehandelaar: {{ operator_name }}\n"
            "Prioriteit: {{ priority }}\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The target date of call {{ melding_number }} ({{ brief_description }}) has passed: "
            "{{ target_date }}.\n\n"
            "Operator group: {{ operator_group }}\nOperator: {{ operator_name }}\n"
            "Priority: {{ priority }}\n\n{{ link_url }}\n",
        },
    )
)

_ASSIGN_VARIABLES: dict[str, Promise] = {
    "operator_group": _("Operator group the call is assigned to"),
    "priority": _("Priority of the call"),
    "assigned_by": _("Name of the person who assigned the call"),
}

_register(
    Event(
        code="assigned_to_you",
        label=_("A call was assigned to you"),
        audience="staff",
        variables=_ASSIGN_VARIABLES,
        subject={
            "nl": "Melding {{ melding_number }} is aan jou toegewezen: {{ brief_description }}",
            "en": "Call {{ melding_number }} has been assigned to you: {{ brief_description }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "{{ assigned_by }} heeft melding {{ melding_number }} aan jou toegewezen.\n\n"
            "Korte omschrijving: {{ brief_description }}\nBehandelaarsgroep: {{ operator_group }}\n"
            "Prioriteit: {{ priority }}\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "{{ assigned_by }} has assigned call {{ melding_number }} to you.\n\n"
            "Brief description: {{ brief_description }}\nOperator group: {{ operator_group }}\n"
            "Priority: {{ priority }}\n\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="assigned_to_group",
        label=_("A call was assigned to your operator group"),
        audience="staff",
        variables=_ASSIGN_VARIABLES,
        subject={
            "nl": "Nieuwe melding voor {{ operator_group }}: {{ melding_number }} {{ brief_description }}",
            "en": "New call for {{ operator_group }}: {{ melding_number }} {{ brief_description }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "{{ assigned_by }} heeft melding {{ melding_number }} toegewezen aan behandelaarsgroep "
            "{{ operator_group }}.\n\n"
            "Korte omschrijving: {{ brief_description }}\nPrioriteit: {{ priority }}\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "{{ assigned_by }} has assigned call {{ melding_number }} to operator group "
            "{{ operator_group }}.\n\n"
            "Brief description: {{ brief_description }}\nPriority: {{ priority }}\n\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="report_ready",
        label=_("A scheduled report is ready (to its owner)"),
        audience="staff",
        about_melding=False,
        variables={
            "report_name": _("Name of the scheduled report"),
            "period": _("The period the report covers"),
            "file_format": _("The file format: Excel or PDF"),
            "attached": _("“yes” when the report is attached to the e-mail, else empty"),
        },
        subject={
            "nl": "Rapportage klaar: {{ report_name }} ({{ period }})",
            "en": "Report ready: {{ report_name }} ({{ period }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De rapportage {{ report_name }} over {{ period }} staat klaar ({{ file_format }}). "
            "{% if attached %}Je vindt hem als bijlage bij deze e-mail, en hier "
            "(inloggen nodig):{% else %}Download hem hier (inloggen nodig):{% endif %}"
            "\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The report {{ report_name }} for {{ period }} is ready ({{ file_format }}). "
            "{% if attached %}It is attached to this e-mail, and available here "
            "(you need to log in):{% else %}Download it here (you need to log in):{% endif %}"
            "\n\n{{ link_url }}\n",
        },
    )
)

_ARTICLE_VARIABLES: dict[str, Promise] = {
    "article_title": _("Title of the knowledge article"),
    "article_kind": _("Kind of the knowledge article"),
    "version_number": _("Number of the published version"),
}

_register(
    Event(
        code="article_review_due",
        label=_("A knowledge article is due for review (to its owner)"),
        audience="staff",
        about_melding=False,
        variables={
            **_ARTICLE_VARIABLES,
            "due_date": _("The date the article was due for review"),
            "owner_name": _("Name of the article's owner"),
        },
        subject={
            "nl": "Kennisitem controleren: {{ article_title }}",
            "en": "Knowledge article to review: {{ article_title }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Het kennisitem {{ article_title }} (eigenaar: {{ owner_name }}) moest uiterlijk "
            "{{ due_date }} gecontroleerd worden. Kijk of de tekst nog klopt: pas hem aan of bevestig "
            "op de pagina van het kennisitem dat hij nog actueel is.\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The knowledge article {{ article_title }} (owner: {{ owner_name }}) was due for review on "
            "{{ due_date }}. Please check whether the text is still correct: change it, or confirm on "
            "the article's page that it is still current.\n\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="article_changed",
        label=_("A procedure or user instruction you follow has a new version"),
        audience="caller",
        about_melding=False,
        variables={
            **_ARTICLE_VARIABLES,
            "change_note": _("The change note of the new version"),
            "acknowledgement_required": _("'yes' when readers must confirm they have read it"),
        },
        subject={
            "nl": "Nieuwe versie: {{ article_title }} (versie {{ version_number }})",
            "en": "New version: {{ article_title }} (version {{ version_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Er is een nieuwe versie van {{ article_title }} gepubliceerd (versie {{ version_number }})."
            "\n\n{% if change_note %}Wat is er veranderd:\n{{ change_note }}\n\n{% endif %}"
            "{% if acknowledgement_required == 'yes' %}Lees de nieuwe versie en bevestig op de pagina "
            "dat je hem gelezen hebt.\n\n{% endif %}{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "A new version of {{ article_title }} has been published (version {{ version_number }})."
            "\n\n{% if change_note %}What changed:\n{{ change_note }}\n\n{% endif %}"
            "{% if acknowledgement_required == 'yes' %}Please read the new version and confirm on the "
            "page that you have read it.\n\n{% endif %}{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="article_acknowledgement_due",
        label=_("Reminder: confirm that you have read a procedure or user instruction"),
        audience="caller",
        about_melding=False,
        variables={
            **_ARTICLE_VARIABLES,
            "change_note": _("The change note of the version"),
            "published_on": _("The date the version was published"),
        },
        subject={
            "nl": "Herinnering: bevestig dat je {{ article_title }} gelezen hebt",
            "en": "Reminder: confirm that you have read {{ article_title }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Op {{ published_on }} is versie {{ version_number }} van {{ article_title }} gepubliceerd. "
            "Je hebt nog niet bevestigd dat je deze versie gelezen hebt.\n\n"
            "{% if change_note %}Wat is er veranderd:\n{{ change_note }}\n\n{% endif %}"
            "Lees de tekst en klik op de pagina op “Ik heb deze versie gelezen”:\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "Version {{ version_number }} of {{ article_title }} was published on {{ published_on }}. "
            "You have not yet confirmed that you have read this version.\n\n"
            "{% if change_note %}What changed:\n{{ change_note }}\n\n{% endif %}"
            "Please read it and click “I have read this version” on the page:\n{{ link_url }}\n",
        },
    )
)

_CHECK_VARIABLES: dict[str, Promise] = {
    "check_name": _("Name of the monitoring check"),
    "target": _("What the check probes (host, URL or address)"),
    "result_detail": _("The result that changed the state, e.g. HTTP 503"),
}

_register(
    Event(
        code="check_down",
        label=_("A monitoring check is down (to its operator group; webhooks get Alertmanager JSON)"),
        audience="staff",
        variables=_CHECK_VARIABLES,
        subject={
            "nl": "Storing: {{ check_name }} is onbereikbaar ({{ melding_number }})",
            "en": "Down: {{ check_name }} ({{ melding_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De controle {{ check_name }} ({{ target }}) is down: {{ result_detail }}.\n"
            "Melding {{ melding_number }} is geregistreerd:\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The check {{ check_name }} ({{ target }}) is down: {{ result_detail }}.\n"
            "Call {{ melding_number }} has been registered:\n\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="check_up",
        label=_("A monitoring check is up again (to its operator group; webhooks get Alertmanager JSON)"),
        audience="staff",
        variables=_CHECK_VARIABLES,
        subject={
            "nl": "Hersteld: {{ check_name }} ({{ melding_number }})",
            "en": "Recovered: {{ check_name }} ({{ melding_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De controle {{ check_name }} ({{ target }}) is weer in orde: {{ result_detail }}.\n"
            "Melding {{ melding_number }}:\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The check {{ check_name }} ({{ target }}) is up again: {{ result_detail }}.\n"
            "Call {{ melding_number }}:\n\n{{ link_url }}\n",
        },
    )
)

_PREVENTIVE_VARIABLES: dict[str, Promise] = {
    "activity_name": _("Name of the preventive activity"),
    "activity_kind": _("Kind of the preventive activity, e.g. backup check"),
    "planned_at": _("When the activity is planned (date and time)"),
    "due_at": _("When the activity is overdue if it has not been done (date and time)"),
    "checklist": _("The checklist, one item per line ([x] done, [ ] not yet)"),
    "operator_group": _("Operator group of the activity"),
    "assignee_name": _("Name of the operator the activity is assigned to"),
    "objects": _("The objects the activity concerns, e.g. host names"),
}

_register(
    Event(
        code="preventive_due",
        label=_("A preventive activity is due (to its assignee, or its operator group)"),
        audience="staff",
        about_melding=False,
        variables=_PREVENTIVE_VARIABLES,
        subject={
            "nl": "Preventieve activiteit uitvoeren: {{ activity_name }} ({{ planned_at }})",
            "en": "Preventive activity due: {{ activity_name }} ({{ planned_at }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De preventieve activiteit {{ activity_name }} ({{ activity_kind }}) staat gepland op "
            "{{ planned_at }}. Voer de activiteit uiterlijk {{ due_at }} uit.\n\n"
            "{% if assignee_name %}Behandelaar: {{ assignee_name }}\n{% endif %}"
            "{% if operator_group %}Behandelaarsgroep: {{ operator_group }}\n{% endif %}"
            "{% if objects %}Objecten: {{ objects }}\n{% endif %}"
            "{% if checklist %}\nChecklist:\n{{ checklist }}\n{% endif %}\n"
            "Vink de checklist af en meld de uitvoering af als gedaan, overgeslagen of gedaan met "
            "afwijking:\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The preventive activity {{ activity_name }} ({{ activity_kind }}) is planned for "
            "{{ planned_at }}. Please carry it out by {{ due_at }}.\n\n"
            "{% if assignee_name %}Assignee: {{ assignee_name }}\n{% endif %}"
            "{% if operator_group %}Operator group: {{ operator_group }}\n{% endif %}"
            "{% if objects %}Objects: {{ objects }}\n{% endif %}"
            "{% if checklist %}\nChecklist:\n{{ checklist }}\n{% endif %}\n"
            "Tick the checklist and finish the occurrence as done, skipped or done with an anomaly:\n"
            "{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="preventive_overdue",
        label=_("A preventive activity is overdue (to its assignee or operator group, and the coordinator)"),
        audience="staff",
        about_melding=False,
        variables=_PREVENTIVE_VARIABLES,
        subject={
            "nl": "Preventieve activiteit te laat: {{ activity_name }} ({{ planned_at }})",
            "en": "Preventive activity overdue: {{ activity_name }} ({{ planned_at }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De preventieve activiteit {{ activity_name }} ({{ activity_kind }}), gepland op "
            "{{ planned_at }}, is te laat: de activiteit had uiterlijk {{ due_at }} uitgevoerd of "
            "overgeslagen moeten zijn.\n\n"
            "{% if assignee_name %}Behandelaar: {{ assignee_name }}\n{% endif %}"
            "{% if operator_group %}Behandelaarsgroep: {{ operator_group }}\n{% endif %}"
            "{% if objects %}Objecten: {{ objects }}\n{% endif %}"
            "{% if checklist %}\nChecklist:\n{{ checklist }}\n{% endif %}\n"
            "Voer de activiteit alsnog uit, of sla deze over met een reden:\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The preventive activity {{ activity_name }} ({{ activity_kind }}), planned for "
            "{{ planned_at }}, is overdue: it should have been done or skipped by {{ due_at }}.\n\n"
            "{% if assignee_name %}Assignee: {{ assignee_name }}\n{% endif %}"
            "{% if operator_group %}Operator group: {{ operator_group }}\n{% endif %}"
            "{% if objects %}Objects: {{ objects }}\n{% endif %}"
            "{% if checklist %}\nChecklist:\n{{ checklist }}\n{% endif %}\n"
            "Please carry it out now, or skip it with a reason:\n{{ link_url }}\n",
        },
    )
)

_DEADLINE_VARIABLES: dict[str, Promise] = {
    "record_name": _("The licence's product or the contract's title"),
    "supplier_name": _("Name of the supplier"),
    "deadline": _("The deadline: the expiry date of the licence, the notice date of the contract"),
    "days_left": _("Days left until the deadline"),
    "end_date": _("End date of the contract"),
}

_register(
    Event(
        code="licence_expiring",
        label=_("A software licence is about to expire (to its owner, or the coordinators)"),
        audience="staff",
        about_melding=False,
        variables=_DEADLINE_VARIABLES,
        subject={
            "nl": "Licentie verloopt op {{ deadline }}: {{ record_name }}",
            "en": "Licence expires on {{ deadline }}: {{ record_name }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De licentie {{ record_name }}{% if supplier_name %} van {{ supplier_name }}{% endif %} "
            "verloopt op {{ deadline }}, over {{ days_left }} dagen. Verleng of beëindig de licentie "
            "op tijd:\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The licence {{ record_name }}{% if supplier_name %} from {{ supplier_name }}{% endif %} "
            "expires on {{ deadline }}, in {{ days_left }} days. Renew or end it in time:\n\n"
            "{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="contract_notice_due",
        label=_("A contract's notice date is near (to its owner, or the coordinators)"),
        audience="staff",
        about_melding=False,
        variables=_DEADLINE_VARIABLES,
        subject={
            "nl": "Opzegdatum {{ deadline }}: contract {{ record_name }}",
            "en": "Notice date {{ deadline }}: contract {{ record_name }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Het contract {{ record_name }}{% if supplier_name %} met {{ supplier_name }}{% endif %} "
            "loopt tot {{ end_date }}. Wil je het opzeggen, doe dat dan uiterlijk {{ deadline }}, "
            "over {{ days_left }} dagen:\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The contract {{ record_name }}{% if supplier_name %} with {{ supplier_name }}{% endif %} "
            "runs until {{ end_date }}. To give notice, do so by {{ deadline }}, in {{ days_left }} "
            "days:\n\n{{ link_url }}\n",
        },
    )
)

_ACCESS_VARIABLES: dict[str, Promise] = {
    "right_name": _("The right asked for (read, editor, administrator, ...)"),
    "ci_name": _("The application or service"),
    "person_name": _("The person who is to hold the right"),
    "requested_by": _("Who asked for it"),
    "reason": _("The reason given with the request"),
    "campaign_name": _("Name of the access review"),
    "deadline": _("The review's deadline"),
    "open_items": _("How many rights are still to be reviewed"),
}

_register(
    Event(
        code="access_request_waiting",
        label=_("An access right waits for your approval (to the application's approver)"),
        audience="staff",
        about_melding=False,
        variables=_ACCESS_VARIABLES,
        subject={
            "nl": "Toegangsrecht aangevraagd: {{ right_name }} op {{ ci_name }} voor {{ person_name }}",
            "en": "Access right requested: {{ right_name }} on {{ ci_name }} for {{ person_name }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "{{ requested_by }} vraagt het recht {{ right_name }} op {{ ci_name }} aan voor "
            "{{ person_name }}.{% if reason %}\n\nReden: {{ reason }}{% endif %}\n\n"
            "Jij beoordeelt deze aanvraag. Keur de aanvraag goed of wijs deze af:\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "{{ requested_by }} requests the right {{ right_name }} on {{ ci_name }} for "
            "{{ person_name }}.{% if reason %}\n\nReason: {{ reason }}{% endif %}\n\n"
            "You decide on this request. Approve or reject it:\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="access_review_due",
        label=_("Access rights wait for your review (to the application's approver)"),
        audience="staff",
        about_melding=False,
        variables=_ACCESS_VARIABLES,
        subject={
            "nl": "Beoordeel toegangsrechten voor {{ deadline }}: {{ campaign_name }}",
            "en": "Review access rights by {{ deadline }}: {{ campaign_name }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "In de beoordeling {{ campaign_name }} wachten nog {{ open_items }} toegangsrechten op je "
            "beoordeling. Bevestig of trek elk recht in, uiterlijk {{ deadline }}:\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "In the review {{ campaign_name }}, {{ open_items }} access rights still wait for your "
            "review. Confirm or revoke each by {{ deadline }}:\n\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="security_risk_review_due",
        label=_("A security risk is due for review (to its owner)"),
        audience="staff",
        about_melding=False,
        variables={
            "risk_number": _("Number of the risk, e.g. RSK-4"),
            "risk_title": _("Title of the risk"),
            "review_date": _("The risk's review date"),
            "risk_level": _("The risk's current level: low, medium, high or critical"),
        },
        subject={
            "nl": "Risico {{ risk_number }} beoordelen: {{ risk_title }}",
            "en": "Review risk {{ risk_number }}: {{ risk_title }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Het risico {{ risk_number }} ({{ risk_title }}, niveau {{ risk_level }}) staat op "
            "{{ review_date }} gepland voor een nieuwe beoordeling. Kijk of de kans, de impact, de "
            "behandeling en de maatregelen nog kloppen, en zet een nieuwe beoordelingsdatum:\n\n"
            "{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The risk {{ risk_number }} ({{ risk_title }}, level {{ risk_level }}) is due for review on "
            "{{ review_date }}. Check whether its likelihood, impact, treatment and controls still hold, "
            "and set a new review date:\n\n{{ link_url }}\n",
        },
    )
)

_CHANGE_VARIABLES: dict[str, Promise] = {
    "change_number": _("Number of the change, e.g. W0000123"),
    "change_title": _("Title of the change"),
    "change_kind": _("Kind of change: standard, normal or emergency"),
    "decision": _("The decision: granted or rejected"),
    "afterwards": _("'yes' when the approval is asked after an emergency change was carried out"),
}

_register(
    Event(
        code="change_approval_requested",
        label=_("Your approval of a change is asked (to each approver)"),
        audience="staff",
        about_melding=False,
        variables=_CHANGE_VARIABLES,
        subject={
            "nl": "Goedkeuring gevraagd: wijziging {{ change_number }} {{ change_title }}",
            "en": "Approval asked: change {{ change_number }} {{ change_title }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Je goedkeuring wordt gevraagd voor de wijziging {{ change_number }} ({{ change_kind }}): "
            "{{ change_title }}.\n"
            "{% if afterwards == 'yes' %}Het is een spoedwijziging die al is uitgevoerd: je "
            "beoordeelt haar achteraf.\n{% endif %}\n"
            "Keur de wijziging goed of af, met een toelichting:\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "Your approval is asked for the change {{ change_number }} ({{ change_kind }}): "
            "{{ change_title }}.\n"
            "{% if afterwards == 'yes' %}It is an emergency change that has already been carried "
            "out: you assess it afterwards.\n{% endif %}\n"
            "Approve or reject it, with a comment:\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="change_approval_decided",
        label=_("The approval of a change is decided (to its coordinator)"),
        audience="staff",
        about_melding=False,
        variables=_CHANGE_VARIABLES,
        subject={
            "nl": "Wijziging {{ change_number }} {% if decision == 'granted' %}goedgekeurd"
            "{% else %}afgekeurd{% endif %}: {{ change_title }}",
            "en": "Change {{ change_number }} {{ decision }}: {{ change_title }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De wijziging {{ change_number }} ({{ change_title }}) is "
            "{% if decision == 'granted' %}goedgekeurd{% else %}afgekeurd{% endif %}.\n\n"
            "{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The change {{ change_number }} ({{ change_title }}) has been {{ decision }}.\n\n"
            "{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="design_client_approval_waiting",
        label=_("A design version waits for the client's approval (to the client)"),
        audience="caller",
        about_melding=False,
        variables={**_ARTICLE_VARIABLES, "author_name": _("Name of the version's author")},
        subject={
            "nl": "Ontwerp ter goedkeuring: {{ article_title }} (versie {{ version_number }})",
            "en": "Design for your approval: {{ article_title }} (version {{ version_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Versie {{ version_number }} van het ontwerp {{ article_title }} ({{ article_kind }}) wacht "
            "op je goedkeuring als opdrachtgever. Lees het ontwerp en keur het goed of af, met een "
            "toelichting:\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "Version {{ version_number }} of the design {{ article_title }} ({{ article_kind }}) waits "
            "for your approval as the client. Read the design and approve or reject it, with a "
            "comment:\n\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="change_feedback_requested",
        label=_("Your feedback on a change is asked (to each chosen stakeholder)"),
        audience="caller",
        about_melding=False,
        variables={
            "change_number": _CHANGE_VARIABLES["change_number"],
            "change_title": _CHANGE_VARIABLES["change_title"],
            "expires_on": _("The last day the feedback link works"),
        },
        subject={
            "nl": "Wat vond je ervan? Wijziging {{ change_number }} {{ change_title }}",
            "en": "What did you think? Change {{ change_number }} {{ change_title }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De wijziging {{ change_number }} ({{ change_title }}) is uitgevoerd. We horen graag hoe "
            "je die hebt ervaren: hoe tevreden je bent, wat er goed ging en wat beter kan. Het "
            "formulier is kort en werkt zonder inloggen:\n\n{{ link_url }}\n\n"
            "De link werkt één keer, tot en met {{ expires_on }}.",
            "en": "Dear {{ recipient_name }},\n\n"
            "The change {{ change_number }} ({{ change_title }}) has been carried out. We would like "
            "to hear how it went for you: how satisfied you are, what went well and what could be "
            "better. The form is short and works without signing in:\n\n{{ link_url }}\n\n"
            "The link works once, until {{ expires_on }}.",
        },
    )
)

_register(
    Event(
        code="change_request_received",
        label=_("Change request by e-mail registered (to the sender)"),
        audience="caller",
        about_melding=False,
        variables={
            "change_number": _CHANGE_VARIABLES["change_number"],
            "change_title": _CHANGE_VARIABLES["change_title"],
        },
        subject={
            "nl": "Je wijzigingsaanvraag is geregistreerd [{{ change_number }}]: {{ change_title }}",
            "en": "Your change request has been registered [{{ change_number }}]: {{ change_title }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "We hebben je wijzigingsaanvraag ontvangen en geregistreerd onder nummer {{ change_number }}: "
            "{{ change_title }}.\n\n"
            "Wil je iets toevoegen? Beantwoord dan deze e-mail en laat het nummer in het onderwerp staan."
            "{% if link_url %}\nJe kunt de voortgang volgen via:\n{{ link_url }}{% endif %}" + _SIGN_NL,
            "en": "Dear {{ recipient_name }},\n\n"
            "We have received your change request and registered it as {{ change_number }}: "
            "{{ change_title }}.\n\n"
            "To add something, reply to this e-mail and keep the number in the subject."
            "{% if link_url %}\nYou can follow its progress at:\n{{ link_url }}{% endif %}" + _SIGN_EN,
        },
    )
)

_register(
    Event(
        code="change_plan_notice",
        label=_("Notice about planned work of a change (to its stakeholders)"),
        audience="caller",
        about_melding=False,
        variables={
            "change_number": _("Number of the change, e.g. W0000123"),
            "change_title": _("Title of the change"),
            "notice_subject": _("Subject of the notice"),
            "notice_text": _("Text of the notice"),
            "planned_start": _("Planned start of the change"),
            "planned_end": _("Planned end of the change"),
            "article_title": _("Title of the linked user instruction (may be empty)"),
            "acknowledgement_required": _("'yes' when the reader is asked to confirm reading it"),
        },
        subject={
            "nl": "{{ notice_subject }}",
            "en": "{{ notice_subject }}",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n{{ notice_text }}\n\n"
            "{% if planned_start %}Gepland: {{ planned_start }}{% if planned_end %} tot {{ planned_end }}"
            "{% endif %}.\n{% endif %}"
            "{% if article_title %}\nLees de gebruikersinstructie {{ article_title }}"
            "{% if acknowledgement_required == 'yes' %} en bevestig daar dat je haar gelezen hebt"
            "{% endif %}:\n"
            "{{ link_url }}\n{% endif %}"
            "\n(Wijziging {{ change_number }}: {{ change_title }})\n",
            "en": "Dear {{ recipient_name }},\n\n{{ notice_text }}\n\n"
            "{% if planned_start %}Planned: {{ planned_start }}{% if planned_end %} to {{ planned_end }}"
            "{% endif %}.\n{% endif %}"
            "{% if article_title %}\nRead the user instruction {{ article_title }}"
            "{% if acknowledgement_required == 'yes' %} and confirm there that you have read it{% endif %}:\n"
            "{{ link_url }}\n{% endif %}"
            "\n(Change {{ change_number }}: {{ change_title }})\n",
        },
    )
)

_ACCEPTANCE_VARIABLES: dict[str, Promise] = {
    "change_number": _("Number of the change, e.g. W0000123"),
    "change_title": _("Title of the change"),
    "session_title": _("Title of the acceptance session"),
}

_register(
    Event(
        code="acceptance_invitation",
        label=_("Invitation to an acceptance session (to each invited user)"),
        audience="caller",
        about_melding=False,
        variables={
            **_ACCEPTANCE_VARIABLES,
            "starts_at": _("Date and time the session starts"),
            "place": _("Place of the session (may be empty)"),
            "online_link": _("Online link of the session (may be empty)"),
            "instructions": _("Titles of the user instructions to read first, one per line (may be empty)"),
            "organiser_name": _("Name of the operator who organises the session"),
        },
        subject={
            "nl": "Uitnodiging acceptatietest: {{ session_title }} ({{ change_number }})",
            "en": "Invitation to an acceptance test: {{ session_title }} ({{ change_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Je bent uitgenodigd om de wijziging {{ change_number }} ({{ change_title }}) te testen in "
            "de acceptatiesessie {{ session_title }}.\n\n"
            "Wanneer: {{ starts_at }}\n"
            "{% if place %}Waar: {{ place }}\n{% endif %}"
            "{% if online_link %}Online: {{ online_link }}\n{% endif %}"
            "{% if instructions %}\nLees vooraf deze gebruikersinstructies:\n"
            "{{ instructions }}\n{% endif %}"
            "\nJe voert je testgevallen stap voor stap uit in het portaal, ook op je telefoon:\n"
            "{{ link_url }}\n\n"
            "Organisator: {{ organiser_name }}" + _SIGN_NL,
            "en": "Dear {{ recipient_name }},\n\n"
            "You are invited to test the change {{ change_number }} ({{ change_title }}) in the "
            "acceptance session {{ session_title }}.\n\n"
            "When: {{ starts_at }}\n"
            "{% if place %}Where: {{ place }}\n{% endif %}"
            "{% if online_link %}Online: {{ online_link }}\n{% endif %}"
            "{% if instructions %}\nPlease read these user instructions first:\n"
            "{{ instructions }}\n{% endif %}"
            "\nYou carry out your test cases step by step in the portal, on your phone as well:\n"
            "{{ link_url }}\n\n"
            "Organiser: {{ organiser_name }}" + _SIGN_EN,
        },
    )
)

_register(
    Event(
        code="acceptance_signoff_requested",
        label=_("An acceptance session waits for the client's sign-off (to the client)"),
        audience="caller",
        about_melding=False,
        variables={
            **_ACCEPTANCE_VARIABLES,
            "advice": _("The acceptance advice: accepted, accepted with conditions or not accepted"),
        },
        subject={
            "nl": "Acceptatie aftekenen: {{ session_title }} ({{ change_number }})",
            "en": "Acceptance to sign off: {{ session_title }} ({{ change_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De acceptatiesessie {{ session_title }} van de wijziging {{ change_number }} "
            "({{ change_title }}) is afgerond. Het advies is: {{ advice }}.\n\n"
            "Bekijk de resultaten per testgeval en per gebruiker en teken de acceptatie af als "
            "opdrachtgever:\n\n{{ link_url }}" + _SIGN_NL,
            "en": "Dear {{ recipient_name }},\n\n"
            "The acceptance session {{ session_title }} of the change {{ change_number }} "
            "({{ change_title }}) is done. The advice is: {{ advice }}.\n\n"
            "Look at the results per test case and per user and sign the acceptance off as the "
            "client:\n\n{{ link_url }}" + _SIGN_EN,
        },
    )
)

_register(
    Event(
        code="security_review_due",
        label=_("A security measure is due for review (to its owner)"),
        audience="staff",
        about_melding=False,
        variables={
            "control_number": _("Number of the control, e.g. 8.13"),
            "control_title": _("Short title of the control"),
            "scope": _("Scope of the implementation: the whole organisation or a service"),
            "due_date": _("The date the implementation was due for review"),
            "owner_name": _("Name of the implementation's owner (may be empty)"),
        },
        subject={
            "nl": "Maatregel controleren: {{ control_number }} {{ control_title }} ({{ scope }})",
            "en": "Security measure to review: {{ control_number }} {{ control_title }} ({{ scope }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "De uitvoering van maatregel {{ control_number }} {{ control_title }} voor {{ scope }}"
            "{% if owner_name %} (eigenaar: {{ owner_name }}){% endif %} moest uiterlijk {{ due_date }} "
            "gecontroleerd worden. Kijk of de beschrijving, de status en het bewijs nog kloppen en zet "
            "een nieuwe controledatum op de pagina van de maatregel.\n\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "The implementation of control {{ control_number }} {{ control_title }} for {{ scope }}"
            "{% if owner_name %} (owner: {{ owner_name }}){% endif %} was due for review on "
            "{{ due_date }}. Check whether its description, status and evidence are still right and set "
            "a new review date on the control's page.\n\n{{ link_url }}\n",
        },
    )
)

_SECURITY_VARIABLES: dict[str, Promise] = {
    "incident_number": _("Number of the security incident, e.g. BI000012"),
    "deadline_kind": _("The report that is due, e.g. the report to the Autoriteit Persoonsgegevens"),
    "deadline_at": _("Date and time the report is due"),
    "time_left": _("Time left until the deadline (empty once it has passed)"),
}

_register(
    Event(
        code="security_deadline_near",
        label=_("A reporting deadline of a security incident is near (to every security officer)"),
        audience="staff",
        about_melding=False,
        variables=_SECURITY_VARIABLES,
        subject={
            "nl": "Meldtermijn loopt af: {{ deadline_kind }} ({{ incident_number }})",
            "en": "Reporting deadline near: {{ deadline_kind }} ({{ incident_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Voor beveiligingsincident {{ incident_number }} moet uiterlijk {{ deadline_at }} de "
            "volgende melding gedaan zijn: {{ deadline_kind }}.\n"
            "{% if time_left %}Resterende tijd: {{ time_left }}.\n{% endif %}\n"
            "Leg de melding vast zodra je haar gedaan hebt:\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "For security incident {{ incident_number }} the following report is due by "
            "{{ deadline_at }}: {{ deadline_kind }}.\n"
            "{% if time_left %}Time left: {{ time_left }}.\n{% endif %}\n"
            "Record the report once you have made it:\n{{ link_url }}\n",
        },
    )
)

_register(
    Event(
        code="security_deadline_passed",
        label=_("A reporting deadline of a security incident has passed (to every security officer)"),
        audience="staff",
        about_melding=False,
        variables=_SECURITY_VARIABLES,
        subject={
            "nl": "Meldtermijn verstreken: {{ deadline_kind }} ({{ incident_number }})",
            "en": "Reporting deadline passed: {{ deadline_kind }} ({{ incident_number }})",
        },
        body={
            "nl": "Beste {{ recipient_name }},\n\n"
            "Voor beveiligingsincident {{ incident_number }} had uiterlijk {{ deadline_at }} de "
            "volgende melding gedaan moeten zijn: {{ deadline_kind }}. Er is nog geen melding "
            "vastgelegd.\n\n"
            "Doe de melding zo snel mogelijk en leg haar vast:\n{{ link_url }}\n",
            "en": "Dear {{ recipient_name }},\n\n"
            "For security incident {{ incident_number }} the following report was due by "
            "{{ deadline_at }}: {{ deadline_kind }}. No report has been recorded yet.\n\n"
            "Make the report as soon as you can and record it:\n{{ link_url }}\n",
        },
    )
)

# Made-up values for the preview and for checking a template on save.
SAMPLE_CONTEXT: dict[str, dict[str, str]] = {
    "nl": {
        "melding_number": "M0001234",
        "brief_description": "Printer lokaal 2.14 drukt niet af",
        "link_url": "https://beheer.example/portal/meldingen/1234/",
        "recipient_name": "Anna de Vries",
        "caller_name": "Anna de Vries",
        "operator_name": "Olga Jansen",
        "reply_text": "De toner is vervangen. Wil je het nog eens proberen?",
        "status": "Wachten op aanmelder",
        "status_kind": "waiting",
        "solution_text": "De toner is vervangen.",
        "target_date": "12-03-2026 16:00",
        "operator_group": "Servicedesk",
        "priority": "P2 Hoog",
        "assigned_by": "Cora Bakker",
        "report_name": "Maandrapportage servicedesk",
        "period": "1-10-2026 - 31-10-2026",
        "file_format": "PDF",
        "attached": "yes",
        "check_name": "Website leerlingportaal",
        "target": "https://portaal.school.example/",
        "result_detail": "HTTP 503 Service Unavailable",
        "article_title": "Back-up controleren",
        "article_kind": "Procedure: back-up",
        "version_number": "3",
        "change_note": "Stap 4 aangepast: de hersteltest is nu maandelijks.",
        "acknowledgement_required": "yes",
        "due_date": "12-03-2026",
        "owner_name": "Olga Jansen",
        "published_on": "12-03-2026",
        "activity_name": "Back-up controleren",
        "activity_kind": "Back-upcontrole",
        "planned_at": "donderdag 12 maart 2026, 09:00",
        "due_at": "vrijdag 13 maart 2026, 09:00",
        "checklist": "[x] Logboek van de back-up bekeken\n[ ] Steekproef teruggezet",
        "assignee_name": "Olga Jansen",
        "objects": "fs01, nas02",
        "record_name": "Veeam Backup",
        "supplier_name": "Dell",
        "deadline": "12-03-2026",
        "days_left": "60",
        "end_date": "12-05-2026",
        "right_name": "beheerder",
        "ci_name": "Magister",
        "person_name": "Anna de Vries",
        "requested_by": "Olga Jansen",
        "reason": "Nieuwe mentor van klas 3B",
        "campaign_name": "Beoordeling voorjaar 2026",
        "open_items": "4",
        "risk_number": "RSK-4",
        "risk_title": "Phishing op accounts van medewerkers",
        "review_date": "15-01-2027",
        "risk_level": "hoog",
        "change_number": "W0000123",
        "change_title": "Wifi vernieuwen in gebouw B",
        "change_kind": "normaal",
        "decision": "granted",
        "afterwards": "no",
        "author_name": "Olga Jansen",
        "expires_on": "12-04-2026",
        "notice_subject": "Wifi in gebouw B: onderbreking op 14 maart",
        "notice_text": "Op 14 maart vervangen we de access points in gebouw B. Van 8 tot 12 uur geen wifi.",
        "planned_start": "14-03-2026 08:00",
        "planned_end": "14-03-2026 12:00",
        "session_title": "Acceptatietest nieuw wifi",
        "starts_at": "donderdag 12 maart 2026, 14:00",
        "place": "Lokaal 2.14",
        "online_link": "https://meet.school.example/acceptatie",
        "instructions": "Inloggen op het nieuwe wifi\nGastnetwerk gebruiken",
        "organiser_name": "Olga Jansen",
        "advice": "geaccepteerd",
        "control_number": "8.13",
        "control_title": "Back-ups",
        "scope": "Hele organisatie",
        "incident_number": "BI000012",
        "deadline_kind": "Melding aan de Autoriteit Persoonsgegevens",
        "deadline_at": "donderdag 12 maart 2026, 14:00",
        "time_left": "5 uur",
    },
    "en": {
        "melding_number": "M0001234",
        "brief_description": "Printer in room 2.14 does not print",
        "link_url": "https://beheer.example/portal/meldingen/1234/",
        "recipient_name": "Anna de Vries",
        "caller_name": "Anna de Vries",
        "operator_name": "Olga Jansen",
        "reply_text": "The toner has been replaced. Could you try again?",
        "status": "Waiting for caller",
        "status_kind": "waiting",
        "solution_text": "The toner has been replaced.",
        "target_date": "12-03-2026 16:00",
        "operator_group": "Service desk",
        "priority": "P2 High",
        "assigned_by": "Cora Bakker",
        "report_name": "Monthly service desk report",
        "period": "1-10-2026 - 31-10-2026",
        "file_format": "PDF",
        "attached": "yes",
        "check_name": "Student portal website",
        "target": "https://portaal.school.example/",
        "result_detail": "HTTP 503 Service Unavailable",
        "article_title": "Checking the backup",
        "article_kind": "Procedure: backup",
        "version_number": "3",
        "change_note": "Step 4 changed: the restore test is now monthly.",
        "acknowledgement_required": "yes",
        "due_date": "12-03-2026",
        "owner_name": "Olga Jansen",
        "published_on": "12-03-2026",
        "activity_name": "Checking the backup",
        "activity_kind": "Backup check",
        "planned_at": "Thursday 12 March 2026, 09:00",
        "due_at": "Friday 13 March 2026, 09:00",
        "checklist": "[x] Backup log checked\n[ ] Sample restored",
        "assignee_name": "Olga Jansen",
        "objects": "fs01, nas02",
        "record_name": "Veeam Backup",
        "supplier_name": "Dell",
        "deadline": "12-03-2026",
        "days_left": "60",
        "end_date": "12-05-2026",
        "right_name": "administrator",
        "ci_name": "Magister",
        "person_name": "Anna de Vries",
        "requested_by": "Olga Jansen",
        "reason": "New mentor of class 3B",
        "campaign_name": "Spring review 2026",
        "open_items": "4",
        "risk_number": "RSK-4",
        "risk_title": "Phishing of staff accounts",
        "review_date": "15-01-2027",
        "risk_level": "high",
        "change_number": "W0000123",
        "change_title": "Renew the Wi-Fi in building B",
        "change_kind": "normal",
        "decision": "granted",
        "afterwards": "no",
        "author_name": "Olga Jansen",
        "expires_on": "12-04-2026",
        "notice_subject": "Wi-Fi in building B: interruption on 14 March",
        "notice_text": "On 14 March we replace the access points in building B. No Wi-Fi from 8 to 12.",
        "planned_start": "14-03-2026 08:00",
        "planned_end": "14-03-2026 12:00",
        "session_title": "Acceptance test new Wi-Fi",
        "starts_at": "Thursday 12 March 2026, 14:00",
        "place": "Room 2.14",
        "online_link": "https://meet.school.example/acceptance",
        "instructions": "Signing in to the new Wi-Fi\nUsing the guest network",
        "organiser_name": "Olga Jansen",
        "advice": "accepted",
        "control_number": "8.13",
        "control_title": "Backups",
        "scope": "Whole organisation",
        "incident_number": "BI000012",
        "deadline_kind": "Report to the Autoriteit Persoonsgegevens",
        "deadline_at": "Thursday 12 March 2026, 14:00",
        "time_left": "5 hours",
    },
}

# How long a message of each kind may wait to be sent (hours; 0: no limit). A warning that a target
# date is at risk, or that a check is down, is stale within hours; an assignment within a day; a
# caller's acknowledgement or update within a few days; a reminder once its next round is due.
DEFAULT_TTL_HOURS: dict[str, int] = {
    "melding_registered": 72,
    "operator_reply": 72,
    "status_changed": 72,
    "sla_at_risk": 4,
    "sla_breached": 4,
    "assigned_to_you": 24,
    "assigned_to_group": 24,
    "report_ready": 7 * 24,
    "article_review_due": 7 * 24,
    "article_changed": 72,
    "article_acknowledgement_due": 7 * 24,  # the next reminder round comes a week later
    "check_down": 4,
    "check_up": 4,
    "preventive_due": 24,
    "preventive_overdue": 24,
    "licence_expiring": 7 * 24,
    "contract_notice_due": 7 * 24,
    "access_request_waiting": 7 * 24,
    "access_review_due": 24,  # the next day's reminder follows
    "security_risk_review_due": 7 * 24,
    "change_approval_requested": 7 * 24,
    "change_approval_decided": 72,
    "design_client_approval_waiting": 7 * 24,
    "change_feedback_requested": 7 * 24,
    "change_request_received": 72,
    "acceptance_invitation": 7 * 24,
    "acceptance_signoff_requested": 7 * 24,
    "security_review_due": 7 * 24,
    "security_deadline_near": 24,  # a later warning (passed) follows by itself
    "security_deadline_passed": 72,
}

FALLBACK_TTL_HOURS = 72

MAX_TTL_HOURS = 90 * 24


def default_ttl_hours(code: str) -> int:
    return DEFAULT_TTL_HOURS.get(code, FALLBACK_TTL_HOURS)


def event_choices() -> list[tuple[str, Promise]]:
    return [(e.code, e.label) for e in EVENTS.values()]


def get_event(code: str) -> Event | None:
    return EVENTS.get(code)
