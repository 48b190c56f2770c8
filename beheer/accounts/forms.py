"""Form pieces about people that the screens of every app share: choosing a person, the operators."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import User


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of a person, shown by their name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def operators() -> Any:
    """The people who may be given work (operators, coordinators, administrators), by name."""
    return User.objects.operators().order_by("last_name", "first_name", "id")
