"""Single-use answer links: a question mailed to someone without an account (a manager, say),
answered once through a secret link that expires. One implementation for every app.

A row is an ``AnswerLinkModel`` (``portal.models``). Its token is never stored: it is rebuilt
from the row's id, its creation moment and the server secret, so a reminder can mail the same
link again while the database alone yields no usable link. The app keeps its own question,
its own status and what an answer does; this module keeps the link: making and finding the
token, the rules for answering (once, before expiry), the answer form and the answer page.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .forms import add_service_errors
from .models import AnswerLinkModel
from .tokens import rebuildable_token, token_digest
from .workdays import add_working_days


def save_new(row: AnswerLinkModel, *, salt: str, valid_days: int) -> str:
    """Validate and save a new row with a link valid for ``valid_days`` days; its token.

    The token is made of the row's id and creation moment, so the row is saved with a unique
    stand-in first and the digest of its real token stored right after.
    """
    row.token_hash = secrets.token_hex(32)
    row.token_expires_at = timezone.now() + timedelta(days=valid_days)
    row.full_clean()
    row.save()
    token = token_for(row, salt=salt)
    row.token_hash = token_digest(token)
    row.save(update_fields=["token_hash"])
    return token


def token_for(row: AnswerLinkModel, *, salt: str) -> str:
    """The row's answer token, rebuilt from the row and the server secret."""
    return rebuildable_token(salt=salt, value=f"{row.pk}:{row.created_at.isoformat()}")


def mails_plan(
    row: AnswerLinkModel, *, email: str, asked_kind: str, reminder_kind: str, working_days: int
) -> None:
    """The question to ``email`` at once, and one reminder after ``working_days`` working days.

    Both kinds hold the link, so they register with ``keep_body=False``; their renderers
    return None once the question is answered or the link expired, so neither goes out late.
    """
    asked = services.reminder_plan(
        kind=asked_kind, target=row, recipient_email=email, due_at=row.created_at
    )
    services.reminders_send_soon(reminder_ids=[asked.pk])
    services.reminder_plan(
        kind=reminder_kind,
        target=row,
        recipient_email=email,
        due_at=add_working_days(row.created_at, working_days),
    )


def find(rows: QuerySet, token: str) -> Model | None:
    """The row of ``rows`` this token belongs to, or None: the link is the only credential."""
    return rows.filter(token_hash=token_digest(token)).first()


def is_expired(row: AnswerLinkModel) -> bool:
    return row.token_expires_at <= timezone.now()


def check_answerable(row: AnswerLinkModel, *, is_open: bool) -> None:
    """Refuse a second answer, or one after the link expired; call it on the locked row."""
    if not is_open:
        raise ValidationError(_("Deze vraag is al beantwoord of niet meer open."))
    if is_expired(row):
        raise ValidationError(_("Deze link is verlopen. Vraag de deelnemer om een nieuw verzoek."))


def record_answer(row: AnswerLinkModel, *, comment: str, fields: list[str]) -> None:
    """Save the answer's comment and moment, with the app's own ``fields`` (its status)."""
    row.answer_comment = comment
    row.answered_at = timezone.now()
    row.full_clean()
    row.save(update_fields=[*fields, "answer_comment", "answered_at", "updated_at"])


class AnswerForm(forms.Form):
    """Yes or no, with an optional comment; the app words the two choices."""

    granted = forms.TypedChoiceField(
        label=gettext_lazy("Je antwoord"),
        choices=[],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Toelichting"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, yes: str, no: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["granted"].choices = [("yes", yes), ("no", no)]


def answer_page(
    request,
    *,
    row: AnswerLinkModel | None,
    is_open: bool,
    answer: Callable[..., object],
    template: str,
    heading: str,
    context: dict,
    yes: str,
    no: str,
) -> HttpResponse:
    """The page behind an answer link: the question, the form while answerable, else the state.

    ``answer(granted=..., comment=...)`` is the app's service; a ValidationError it raises is
    shown on the form. The template extends ``portal/answer_link.html``.
    """
    if row is None:
        raise Http404
    form = AnswerForm(request.POST or None, yes=yes, no=no)
    answerable = is_open and not is_expired(row)
    if request.method == "POST" and answerable and form.is_valid():
        try:
            answer(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(request.path)
    response = render(
        request,
        template,
        {
            **context,
            "heading": heading,
            "link": row,
            "form": form,
            "answerable": answerable,
            "is_open": is_open,
        },
    )
    # Keep the token out of other sites' logs; "no-referrer" would also blank the Origin
    # header of the answer's own POST, which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response
