"""The "add participants" parser reads any paste in linear time and refuses an oversize one."""

import re

import pytest
from django.urls import reverse

import werkplaats.forms
from tests.portal.factories import trainer
from tests.werkplaats.factories import WerkplaatsFactory
from werkplaats.forms import PARTICIPANTS_TEXT_MAX_LENGTH, ParticipantsAddForm, addresses_in_text
from werkplaats.models import Participation


def test_the_parser_uses_no_pattern_that_could_backtrack():
    # A pattern like [^sep]*@[^sep]* rescans a long run without @ from every position:
    # 100,000 characters took 43 s. The parser splits on separators instead.
    patterns = [v for v in vars(werkplaats.forms).values() if isinstance(v, re.Pattern)]
    assert patterns == []


@pytest.mark.parametrize(
    "text",
    [
        "a" * 200_000,  # one long run without @ or separator
        "a@" * 100_000,  # one long word full of @
        "<" * 200_000,  # separators only
        ("x" * 999 + " ") * 200,  # long words, none an address
    ],
)
def test_adversarial_input_of_200000_characters_is_parsed_in_one_pass(text):
    found = addresses_in_text(text)
    assert len(found) <= 1


def test_names_and_separators_around_addresses_are_dropped():
    text = 'Anna <ANNA@x.nl>; "Bob" (bob@y.nl),\n\tanna@x.nl'
    assert addresses_in_text(text) == ["anna@x.nl", "bob@y.nl"]


def test_an_oversize_paste_is_refused_with_a_clear_message():
    form = ParticipantsAddForm({"emails": "a" * (PARTICIPANTS_TEXT_MAX_LENGTH + 1)})
    assert not form.is_valid()
    assert "Deze tekst is te lang" in form.errors["emails"][0]


@pytest.mark.django_db
def test_an_oversize_paste_on_the_page_adds_nobody(client):
    facilitator = trainer()
    client.force_login(facilitator)
    werkplaats_ = WerkplaatsFactory(facilitators=[facilitator])
    response = client.post(
        reverse("werkplaats:participants", args=[werkplaats_.pk]),
        {"add": "1", "emails": "a@b.nl " + "x" * 100_000},
    )
    assert response.status_code == 200
    assert "Deze tekst is te lang" in response.content.decode()
    assert not Participation.objects.exists()
