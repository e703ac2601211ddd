"""The queue's filter widgets are written in Python for speed; they must write what
Django's own widgets write."""

import pytest
from django import forms
from django.test.html import parse_html

from signalen.forms import QuickCheckbox, QuickSelect

CHOICES = [("", "Iedereen"), ("me", "Aan mij"), ("7", 'Jan & <Piet> "de Vries"')]


@pytest.mark.parametrize("value", [None, "", "me", "7", "8"])
def test_quick_select_writes_what_the_select_widget_writes(value):
    attrs = {"class": "form-select", "id": "id_assignee"}
    django_select = forms.Select(choices=CHOICES, attrs={"class": "form-select"})
    quick = QuickSelect(choices=CHOICES, attrs={"class": "form-select"})
    assert parse_html(quick.render("assignee", value, attrs={"id": "id_assignee"})) == parse_html(
        django_select.render("assignee", value, attrs={"id": "id_assignee"})
    ), attrs


@pytest.mark.parametrize("value", [None, "", False, True, "on"])
def test_quick_checkbox_writes_what_the_checkbox_widget_writes(value):
    django_checkbox = forms.CheckboxInput(attrs={"class": "form-check-input"})
    quick = QuickCheckbox(attrs={"class": "form-check-input"})
    assert parse_html(quick.render("overdue", value, attrs={"id": "id_overdue"})) == parse_html(
        django_checkbox.render("overdue", value, attrs={"id": "id_overdue"})
    )
