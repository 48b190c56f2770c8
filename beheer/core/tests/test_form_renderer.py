"""The form renderer remembers widget HTML: the same HTML as Django's renderer, never another's."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from beheer.core import form_renderer
from beheer.core.form_renderer import RememberingRenderer, freeze


class Sample(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(choices=[("a", "A & B"), ("b", mark_safe("<b>B</b>"))], widget=forms.RadioSelect)
    pick = forms.ChoiceField(choices=[("", "---------"), ("1", _("Monday")), ("2", _("Tuesday"))])
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    when = forms.DateField(required=False)


def _html(renderer: Any, **kwargs: Any) -> str:
    return str(Sample(renderer=renderer, **kwargs))


def test_the_project_uses_the_remembering_renderer() -> None:
    assert isinstance(get_default_renderer(), RememberingRenderer)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_draws_what_django_draws_the_first_time_and_every_time_after(language: str) -> None:
    remembering = RememberingRenderer()
    with translation.override(language):
        for kwargs in (
            {"initial": {"version": 3, "kind": "b"}},
            {"data": {"text": "<script>x</script>", "kind": "a", "pick": "2", "many": ["y"], "version": "9"}},
            {"data": {"text": "", "pick": "7", "version": "x", "when": "31-02-2026"}},
        ):
            expected = _html(DjangoTemplates(), **kwargs)
            assert _html(remembering, **kwargs) == expected
            assert _html(remembering, **kwargs) == expected  # now from memory
    assert "&lt;script&gt;" in _html(remembering, data={"text": "<script>x</script>", "version": "1"})


def test_the_same_widget_is_drawn_once() -> None:
    remembering = RememberingRenderer()
    _html(remembering, initial={"version": 1})
    drawn = len(remembering._drawn)
    assert drawn >= 5
    _html(remembering, initial={"version": 1})
    assert len(remembering._drawn) == drawn
    _html(remembering, initial={"version": 2})  # only the hidden version input differs
    assert len(remembering._drawn) == drawn + 1


def test_the_language_of_a_lazy_label_is_part_of_the_key() -> None:
    remembering = RememberingRenderer()
    with translation.override("nl"):
        dutch = _html(remembering)
    with translation.override("en"):
        english = _html(remembering)
    assert "maandag" in dutch
    assert "Monday" not in dutch
    assert "Monday" in english
    assert "maandag" not in english


def test_keys_tell_apart_what_is_drawn_differently() -> None:
    assert freeze("<b>") != freeze(mark_safe("<b>"))  # escaped against drawn as it is
    assert freeze(1) != freeze(True)
    assert freeze(1) != freeze("1")
    assert freeze({"a": 1, "b": 2}) != freeze({"b": 2, "a": 1})  # attributes are drawn in order
    with pytest.raises(form_renderer._NotPlain):
        freeze({"field": object()})


def test_a_context_with_objects_is_drawn_each_time_and_never_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    remembering = RememberingRenderer()
    calls: list[str] = []
    original = DjangoTemplates.render

    def counting(self: Any, template_name: str, context: Any, request: Any = None) -> str:
        calls.append(template_name)
        return str(original(self, template_name, context, request))

    monkeypatch.setattr(DjangoTemplates, "render", counting)
    context = {"widget": {"name": "x", "attrs": {}, "value": None, "thing": object()}}
    for _n in range(2):
        remembering.render("django/forms/widgets/input.html", context)
    assert len(calls) == 2
    assert not remembering._drawn


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(form_renderer, "MAX_ENTRIES", 3)
    remembering = RememberingRenderer()
    for n in range(10):
        _html(remembering, initial={"version": n})
    assert len(remembering._drawn) == 3


def test_labels_are_remembered_only_while_the_label_template_is_djangos() -> None:
    remembering = RememberingRenderer()
    expected = _html(DjangoTemplates(), initial={"version": 1})
    assert _html(remembering, initial={"version": 1}) == expected
    assert any(key[0] == form_renderer.LABEL_TEMPLATE for key in remembering._drawn)
    overridden = RememberingRenderer()
    overridden._own[form_renderer.LABEL_TEMPLATE] = False  # a project template replaces Django's
    assert _html(overridden, initial={"version": 1}) == expected
    assert not any(key[0] == form_renderer.LABEL_TEMPLATE for key in overridden._drawn)


def test_an_empty_error_list_is_not_drawn_and_a_full_one_is(monkeypatch: pytest.MonkeyPatch) -> None:
    remembering = RememberingRenderer()
    drawn: list[str] = []
    original = DjangoTemplates.render

    def counting(self: Any, template_name: str, context: Any, request: Any = None) -> str:
        drawn.append(template_name)
        return str(original(self, template_name, context, request))

    monkeypatch.setattr(DjangoTemplates, "render", counting)
    clean = _html(remembering, initial={"version": 1})
    assert not [name for name in drawn if name in form_renderer.ERROR_TEMPLATES]
    assert clean == _html(DjangoTemplates(), initial={"version": 1})
    bad = {"text": "", "pick": "7", "version": "x"}
    assert _html(remembering, data=bad) == _html(DjangoTemplates(), data=bad)
    assert "errorlist" in _html(remembering, data=bad)
    overridden = RememberingRenderer()
    overridden._own[form_renderer.ERROR_TEMPLATES[0]] = False
    drawn.clear()
    _html(overridden, initial={"version": 1})
    assert form_renderer.ERROR_TEMPLATES[0] in drawn
