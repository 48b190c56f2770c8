"""Impact analysis over relations: upward and downward, transitive, cycle-safe, and the common
upstream CI of CIs in trouble."""

from __future__ import annotations

import pytest

from beheer.accounts.models import User
from beheer.cmdb import impact, services
from beheer.cmdb.models import CiType, ConfigurationItem, RelationKind
from beheer.core.errors import DomainError

pytestmark = pytest.mark.django_db


def make(operator: User, name: str, code: str, **kw: object) -> ConfigurationItem:
    return services.create_item(
        actor=operator,
        data=services.ItemData(name=name, ci_type=CiType.objects.get(code=code), **kw),  # type: ignore[arg-type]
    )


def test_a_core_switch_takes_down_what_rests_on_it_and_a_cycle_ends_the_walk(
    operator: User, caller: User
) -> None:
    core = make(operator, "core-sw", "switch")
    access_sw = make(operator, "access-sw-1", "switch")
    ap = make(operator, "ap-1.02", "access_point")
    server = make(operator, "srv-01", "server")
    app = make(operator, "Magister-koppeling", "application", users=[caller])
    wifi = make(operator, "Wifi", "service")
    backup = make(operator, "srv-02", "server")
    services.add_relation(access_sw, actor=operator, target=core, kind=RelationKind.CONNECTED_TO)
    services.add_relation(ap, actor=operator, target=access_sw, kind=RelationKind.CONNECTED_TO)
    services.add_relation(server, actor=operator, target=core, kind=RelationKind.CONNECTED_TO)
    services.add_relation(app, actor=operator, target=server, kind=RelationKind.RUNS_ON)
    services.add_relation(ap, actor=operator, target=wifi, kind=RelationKind.PART_OF)  # wifi rests on its APs
    services.add_relation(server, actor=operator, target=backup, kind=RelationKind.DEPENDS_ON)
    services.add_relation(backup, actor=operator, target=server, kind=RelationKind.DEPENDS_ON)  # a cycle

    assert impact.reach([core.pk], impact.UP) == {
        core.pk,
        access_sw.pk,
        ap.pk,
        server.pk,
        app.pk,
        wifi.pk,
        backup.pk,
    }
    assert impact.reach([app.pk], impact.DOWN) == {app.pk, server.pk, backup.pk, core.pk}
    up = impact.impact(core, impact.UP, user=operator)
    assert up.count == 6
    assert [c.name for c in up.services] == ["Wifi"]
    assert up.people_count == 1
    assert up.people == [caller]
    assert impact.impact(core, impact.UP, user=caller).count == 0  # staff only

    # three APs' calls and the server's check: the access switch is the nearest common cause of the APs
    ap2 = make(operator, "ap-1.03", "access_point")
    services.add_relation(ap2, actor=operator, target=access_sw, kind=RelationKind.CONNECTED_TO)
    causes = impact.common_causes([ap.pk, ap2.pk])
    assert causes == {ap.pk: access_sw.pk, ap2.pk: access_sw.pk}
    assert impact.common_causes([ap.pk, app.pk])[ap.pk] == core.pk
    assert impact.common_causes([ap.pk]) == {}


def test_a_relation_to_itself_or_twice_is_refused(operator: User) -> None:
    a = make(operator, "a", "server")
    b = make(operator, "b", "server")
    with pytest.raises(DomainError):
        services.add_relation(a, actor=operator, target=a, kind=RelationKind.DEPENDS_ON)
    services.add_relation(a, actor=operator, target=b, kind=RelationKind.DEPENDS_ON)
    with pytest.raises(DomainError):
        services.add_relation(a, actor=operator, target=b, kind=RelationKind.DEPENDS_ON)
    with pytest.raises(DomainError):
        services.add_relation(a, actor=operator, target=b, kind="loves")


def test_the_walk_of_each_origin_is_the_walk_of_it_alone(operator: User) -> None:
    a, b, c, d = (make(operator, name, "server") for name in "abcd")
    services.add_relation(a, actor=operator, target=b, kind=RelationKind.DEPENDS_ON)
    services.add_relation(b, actor=operator, target=c, kind=RelationKind.DEPENDS_ON)
    services.add_relation(c, actor=operator, target=b, kind=RelationKind.DEPENDS_ON)
    services.add_relation(d, actor=operator, target=c, kind=RelationKind.RUNS_ON)
    for direction in (impact.UP, impact.DOWN):
        each = impact.reach_each([a.pk, b.pk, c.pk, d.pk], direction)
        assert each == {ci.pk: impact.reach([ci.pk], direction) for ci in (a, b, c, d)}


def test_likely_causes_combine_the_registered_trouble_sources(operator: User) -> None:
    from beheer.cmdb import extensions

    switch = make(operator, "sw", "switch")
    ap1, ap2 = make(operator, "ap1", "access_point"), make(operator, "ap2", "access_point")
    for ap in (ap1, ap2):
        services.add_relation(ap, actor=operator, target=switch, kind=RelationKind.CONNECTED_TO)
    extensions.register_trouble_source(extensions.TroubleSource("test-a", lambda: [ap1.pk]))
    extensions.register_trouble_source(extensions.TroubleSource("test-b", lambda: [ap2.pk]))
    try:
        assert impact.likely_causes() == {ap1.pk: switch.pk, ap2.pk: switch.pk}
    finally:
        extensions._TROUBLE.pop("test-a")
        extensions._TROUBLE.pop("test-b")
