"""Demo data for the evaluation: an older change, "Nieuwe printers administratie", carried out and
closed weeks ago, with feedback from three stakeholders, findings, lessons learned, the
coordinator's advice and a follow-up action that became a call this morning (the one call the
demo adds to the generated ones). Every write goes through the services."""

from __future__ import annotations

from datetime import datetime

from beheer.accounts.models import OperatorGroup, Role, User

from . import services
from .models import Change, ChangeActivity, FeedbackRequest

ACTIVITIES = [
    ("Oude printers administratie afvoeren", 60),
    ("Twee multifunctionals plaatsen en aansluiten", 120),
    ("Printerstuurprogramma's uitrollen naar de administratie", 45),
    ("Scannen naar e-mail instellen en testen", 60),
]

ANSWERS = [
    (5, "Alles werkte op maandagochtend, precies zoals beloofd.", ""),
    (4, "Snelle printers en de uitleg was duidelijk.", "Scannen naar e-mail werkte pas een dag later."),
    (3, "Goede afspraken over de levering.", "De duplexunit kwam een week later dan gepland."),
]


def create(
    *,
    coordinator: User,
    specialist: User,
    systems: OperatorGroup,
    client: User,
    colleague: User,
    now: datetime,
) -> Change:
    """The evaluated and closed change; the steps run at moments counted back from `now`."""
    from .demo import _assess, _move, _Steps, _vote_all  # the demo's helpers (it imports this module)

    steps = _Steps(now)
    if colleague.pk == client.pk:  # the key user is another member of the administration
        colleague = (
            User.objects.filter(role=Role.CALLER, is_active=True).exclude(pk=client.pk).order_by("id").first()
            or colleague
        )
    with steps.at(62):
        change = services.create_change(
            actor=specialist,
            data=services.ChangeData(
                title="Nieuwe printers administratie",
                description=(
                    "De twee printers van de administratie zijn aan vervanging toe. Doel: twee "
                    "multifunctionals die dubbelzijdig printen en scannen naar e-mail, zonder "
                    "onderbreking van de salarisadministratie aan het eind van de maand."
                ),
                requester=client,
                client=client,
                coordinator=specialist,
                operator_group=systems,
            ),
        )
        change = _move(change, specialist, "assessment")
        change = _assess(change, specialist, 1, 2, "Oude printers blijven een week staan als terugvaloptie.")
        change = _move(change, specialist, "approval")
    with steps.at(60):
        _vote_all(change)
    with steps.at(55):
        change = _move(change, specialist, "planning")
        for title, minutes in ACTIVITIES:
            services.add_activity(change, actor=specialist, title=title, estimate_minutes=minutes)
        change = _move(change, specialist, "execution")
    activities = list(ChangeActivity.objects.filter(change=change).order_by("order"))
    with steps.at(48):
        for activity in activities[:3]:
            services.complete_activity(activity, actor=specialist)
        services.note_deviation(
            activities[3],
            actor=specialist,
            deviation=(
                "Scannen naar e-mail werkte pas een dag later: de mailserver eiste een app-wachtwoord. "
                "Besluit: tijdelijk scannen naar de netwerkmap, met de opdrachtgever afgesproken."
            ),
        )
    with steps.at(45):
        change = _move(change, specialist, "evaluation")
        people = [
            services.add_stakeholder(change, actor=specialist, person=client, role="client"),
            services.add_stakeholder(
                change,
                actor=specialist,
                person=colleague if colleague.pk != client.pk else None,
                name="" if colleague.pk != client.pk else "Hoofd administratie",
                email="" if colleague.pk != client.pk else "administratie@school.example",
                role="key_user",
            ),
            services.add_stakeholder(
                change,
                actor=specialist,
                name="PrintPartners Zwolle",
                email="service@printpartners.example",
                role="supplier",
            ),
        ]
        requests = services.request_feedback(
            Change.objects.get(pk=change.pk), actor=specialist, stakeholders=people
        )
    for days_ago, (row, (score, well, better)) in zip(
        (43, 42, 40), zip(requests, ANSWERS, strict=True), strict=True
    ):
        with steps.at(days_ago):
            found = FeedbackRequest.objects.get(pk=row.pk)
            person = row.person
            services.answer_feedback(
                found,
                actor=person,
                satisfaction=score,
                went_well=well,
                could_be_better=better,
                may_contact=score < 4,
            )
    with steps.at(39):
        for kind, category, text in (
            ("finding", "supplier", "De duplexunit werd een week later geleverd dan besteld."),
            ("finding", "technology", "De mailserver accepteert scanners alleen met een app-wachtwoord."),
            ("lesson", "planning", "Test scannen naar e-mail vóór de installatiedag, met een echt account."),
            (
                "lesson",
                "communication",
                "Meld de administratie een dag vooraf welke printer wanneer wegvalt.",
            ),
        ):
            services.add_finding(change, actor=specialist, kind=kind, category=category, text=text)
        follow_up = services.add_follow_up(
            change,
            actor=specialist,
            title="Scannen naar e-mail omzetten",
            description="Na het app-wachtwoord de tijdelijke netwerkmap vervangen door scannen naar e-mail.",
        )
        services.add_follow_up(
            change,
            actor=specialist,
            title="Tonervoorraad bijhouden in de CMDB",
            description="Per printer de tonersoort en de voorraad vastleggen, zodat bestellen sneller gaat.",
        )
        services.set_advice(
            change,
            actor=coordinator,
            advice=(
                "Plan bij printerwissels een testdag met de echte accounts van de gebruikers en houd de "
                "oude printers een week als terugvaloptie. Bestel accessoires tegelijk met de printers."
            ),
            expected_version=0,
        )
    with steps.at(38):
        change = _move(change, specialist, "closed")
    with steps.at(0.2):  # the app password arrived this morning: the follow-up became a call
        services.convert_follow_up(follow_up, actor=specialist, to="melding")
    return change
