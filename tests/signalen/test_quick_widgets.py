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


# The filter bar as the queue's template wrote it before ``queue_filter_fields``.
_BAR_AS_TEMPLATE = """{% for field in form %}
    {% if field.name == "overdue" %}
      <div class="col-sm-6 col-md-3 col-lg-2 form-check ms-2">
        {{ field }}
        <label class="form-check-label" for="{{ field.id_for_label }}">{{ field.label }}</label>
      </div>
    {% else %}
      <div class="col-sm-6 col-md-3 col-lg-2">
        <label class="form-label" for="{{ field.id_for_label }}">{{ field.label }}</label>
        {{ field }}
      </div>
    {% endif %}
  {% endfor %}"""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"status": "new", "sort": "deadline", "overdue": "on", "per_page": "50"},
        {"status": "all", "assignee": "me", "age": "gt30"},
        # Bad input: the widgets write the errors' attributes themselves.
        {"status": "bogus", "category": "999999", "per_page": "7"},
    ],
)
def test_the_filter_bar_writes_what_the_form_template_wrote(data, language):
    from django.template import engines
    from django.utils import translation

    from signalen.forms import QueueFilterForm
    from signalen.selectors import QueueCategory, QueueChoices
    from signalen.templatetags.signalen_queue import queue_filter_fields

    choices = QueueChoices(
        categories=[
            QueueCategory(3, 0, "Drugs & <wapens>", "Drugs & <weapons>", True),
            QueueCategory(4, 10, "Oud", "Old", False),
        ],
        colleagues=[(7, 'Jan & <Piet> "de Vries"'), (8, "Anna")],
    )
    with translation.override(language):
        form = QueueFilterForm(data, choices=choices)
        form.filters()
        template = engines["django"].from_string(_BAR_AS_TEMPLATE)
        assert parse_html(queue_filter_fields(form)) == parse_html(template.render({"form": form}))
