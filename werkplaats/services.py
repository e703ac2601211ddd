"""Writes for werkplaatsen: set-up, people and groups, sessions, practice, rugdekking, actions.

Every write that changes who is in a werkplaats or when its sessions are re-plans its
reminders in the same transaction, so the portal's dispatcher never sends a stale one.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import answer_links
from portal.models import Organisation, Programme, User

from . import grouping, permissions, scheduling, selectors
from .models import (
    CaseSketch,
    Group,
    OrganisationalAction,
    PairingRule,
    Participation,
    PracticeLog,
    RugdekkingRequest,
    RugdekkingStatus,
    Session,
    Werkplaats,
)


def _require_manager(user: User, werkplaats: Werkplaats) -> None:
    if not permissions.can_manage(user, werkplaats):
        raise PermissionDenied


def _lock(werkplaats: Werkplaats) -> Werkplaats:
    """Changes to people, groups and sessions of one werkplaats happen one after the other."""
    return Werkplaats.objects.select_for_update().get(pk=werkplaats.pk)


# --- the werkplaats --------------------------------------------------------------------------


@transaction.atomic
def werkplaats_create(
    *,
    created_by: User,
    title: str,
    organisation: Organisation,
    description: str = "",
    programme: Programme | None = None,
    facilitators: Iterable[User] = (),
) -> Werkplaats:
    """Start a werkplaats; its creator facilitates it.

    Also composed by verkenning (``training_design_convert_to_werkplaats``), which passes its
    own actor as ``created_by``: the check below holds for that caller too.
    """
    if not permissions.can_create_werkplaats(created_by):
        raise PermissionDenied
    werkplaats = Werkplaats(
        title=title,
        organisation=organisation,
        description=description,
        programme=programme,
        created_by=created_by,
    )
    werkplaats.full_clean()
    werkplaats.save()
    werkplaats.facilitators.set({created_by, *facilitators})
    if hasattr(created_by, "_facilitated_werkplaats_ids"):
        del created_by._facilitated_werkplaats_ids
    return werkplaats


@transaction.atomic
def werkplaats_update(
    *,
    actor: User,
    werkplaats: Werkplaats,
    title: str,
    organisation: Organisation,
    description: str,
    programme: Programme | None,
    facilitators: Iterable[User],
) -> Werkplaats:
    _require_manager(actor, werkplaats)
    facilitators = set(facilitators)
    if not facilitators:
        raise ValidationError({"facilitators": _("Een werkplaats heeft minstens één begeleider.")})
    werkplaats.title = title
    werkplaats.organisation = organisation
    werkplaats.description = description
    werkplaats.programme = programme
    werkplaats.full_clean()
    werkplaats.save()
    werkplaats.facilitators.set(facilitators)
    return werkplaats


# --- participants, rules and groups ----------------------------------------------------------


@transaction.atomic
def participants_add(*, actor: User, werkplaats: Werkplaats, users: Iterable[User]) -> int:
    """Add people (those already in are left alone); returns how many were added."""
    _require_manager(actor, werkplaats)
    werkplaats = _lock(werkplaats)
    existing = set(
        Participation.objects.filter(werkplaats=werkplaats).values_list("user_id", flat=True)
    )
    new = [Participation(werkplaats=werkplaats, user=u) for u in users if u.pk not in existing]
    Participation.objects.bulk_create(new)
    if new:
        scheduling.werkplaats_reminders_replan(werkplaats=werkplaats)
    return len(new)


@transaction.atomic
def participant_remove(*, actor: User, participation: Participation) -> None:
    werkplaats = participation.werkplaats
    _require_manager(actor, werkplaats)
    werkplaats = _lock(werkplaats)
    participation.delete()
    scheduling.werkplaats_reminders_replan(werkplaats=werkplaats)


@transaction.atomic
def pairing_rule_add(
    *, actor: User, werkplaats: Werkplaats, kind: str, first: Participation, second: Participation
) -> PairingRule:
    """Record that two participants must be together or apart when groups are made."""
    _require_manager(actor, werkplaats)
    if first.werkplaats_id != werkplaats.pk or second.werkplaats_id != werkplaats.pk:
        raise ValidationError(_("Kies twee deelnemers van deze werkplaats."))
    if first.pk == second.pk:
        raise ValidationError(_("Kies twee verschillende deelnemers."))
    first, second = sorted((first, second), key=lambda p: p.pk)
    if PairingRule.objects.filter(first=first, second=second).exists():
        raise ValidationError(_("Voor deze twee deelnemers bestaat al een afspraak."))
    rule = PairingRule(werkplaats=werkplaats, kind=kind, first=first, second=second)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def pairing_rule_remove(*, actor: User, rule: PairingRule) -> None:
    _require_manager(actor, rule.werkplaats)
    rule.delete()


def _grouping_error(error: grouping.GroupingError, people: list[Participation]) -> ValidationError:
    names = ", ".join(str(people[i].user) for i in error.people)
    if error.code == "together_and_apart":
        return ValidationError(
            _(
                "%(names)s moeten volgens de afspraken zowel samen als apart: "
                "verwijder een van die afspraken."
            )
            % {"names": names}
        )
    if error.code == "unit_too_large":
        return ValidationError(
            _(
                "%(names)s moeten samen, maar zo'n grote groep past niet "
                "(hoogstens %(size)s per groep)."
            )
            % {"names": names, "size": max(grouping.group_sizes(len(people)))}
        )
    return ValidationError(
        _(
            "Met deze afspraken zijn geen groepen te maken: er moeten meer mensen uit elkaar "
            "dan er groepen zijn. Verwijder een afspraak 'moeten apart' of voeg deelnemers toe."
        )
    )


@transaction.atomic
def groups_make(*, actor: User, werkplaats: Werkplaats, seed: int = 0) -> grouping.Result:
    """Split the participants into mixed groups, replacing any groups there were."""
    _require_manager(actor, werkplaats)
    werkplaats = _lock(werkplaats)
    people = list(selectors.participations(werkplaats=werkplaats))
    if not people:
        raise ValidationError(_("Voeg eerst deelnemers toe."))
    problem = selectors.grouping_problem(
        people, list(PairingRule.objects.filter(werkplaats=werkplaats))
    )
    try:
        result = grouping.make_groups(problem, seed=seed)
    except grouping.GroupingError as error:
        raise _grouping_error(error, people) from None
    # Case sketches belong to a group; keep the group rows, renumbered from one.
    existing = list(Group.objects.filter(werkplaats=werkplaats).order_by("number"))
    Participation.objects.filter(werkplaats=werkplaats).update(group=None, placed_by_hand=False)
    groups = existing[: len(result.groups)]
    for number in range(len(groups) + 1, len(result.groups) + 1):
        groups.append(Group.objects.create(werkplaats=werkplaats, number=number))
    for extra in existing[len(result.groups) :]:
        if not extra.case_sketches.exists():
            extra.delete()
    for group, members in zip(groups, result.groups, strict=True):
        Participation.objects.filter(pk__in=[people[i].pk for i in members]).update(group=group)
    return result


@transaction.atomic
def participant_move(*, actor: User, participation: Participation, group: Group) -> Participation:
    """Move one person by hand; must-apart and must-together agreements still hold."""
    werkplaats = participation.werkplaats
    _require_manager(actor, werkplaats)
    _lock(werkplaats)
    if group.werkplaats_id != werkplaats.pk:
        raise ValidationError(_("Kies een groep van deze werkplaats."))
    if participation.group_id == group.pk:
        return participation
    size = Participation.objects.filter(group=group).count()
    if size >= grouping.MAX_SIZE:
        raise ValidationError(
            _("%(group)s is vol: een groep heeft hoogstens %(max)s deelnemers.")
            % {"group": group, "max": grouping.MAX_SIZE}
        )
    for rule in PairingRule.objects.filter(werkplaats=werkplaats).select_related(
        "first__user", "second__user"
    ):
        if participation.pk not in (rule.first_id, rule.second_id):
            continue
        other = rule.second if rule.first_id == participation.pk else rule.first
        if rule.kind == PairingRule.Kind.APART and other.group_id == group.pk:
            raise ValidationError(
                _("%(a)s en %(b)s moeten apart blijven.")
                % {"a": participation.user, "b": other.user}
            )
        if rule.kind == PairingRule.Kind.TOGETHER:
            raise ValidationError(
                _("%(a)s en %(b)s moeten samen blijven; verwijder eerst die afspraak.")
                % {"a": participation.user, "b": other.user}
            )
    participation.group = group
    participation.placed_by_hand = True
    participation.save(update_fields=["group", "placed_by_hand", "updated_at"])
    return participation


# --- sessions --------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor: User,
    werkplaats: Werkplaats,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    length: str,
    aim_bewustwording: str = "",
    aim_inzicht: str = "",
    aim_helicopterview: str = "",
    aim_vaardigheid: str = "",
) -> Session:
    """Add a session to a werkplaats its actor runs.

    Also composed by verkenning (``training_design_convert_to_werkplaats``) right after
    ``werkplaats_create``, with the same actor, who then facilitates the werkplaats.
    """
    _require_manager(actor, werkplaats)
    werkplaats = _lock(werkplaats)
    session = Session(
        werkplaats=werkplaats,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        length=length,
        aim_bewustwording=aim_bewustwording,
        aim_inzicht=aim_inzicht,
        aim_helicopterview=aim_helicopterview,
        aim_vaardigheid=aim_vaardigheid,
    )
    session.full_clean()
    session.save()
    scheduling.werkplaats_reminders_replan(werkplaats=werkplaats)
    return session


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    length: str,
    aim_bewustwording: str,
    aim_inzicht: str,
    aim_helicopterview: str,
    aim_vaardigheid: str,
) -> Session:
    """Change a session; when it moves, every reminder around it moves with it."""
    _require_manager(actor, session.werkplaats)
    werkplaats = _lock(session.werkplaats)
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.location = location
    session.length = length
    session.aim_bewustwording = aim_bewustwording
    session.aim_inzicht = aim_inzicht
    session.aim_helicopterview = aim_helicopterview
    session.aim_vaardigheid = aim_vaardigheid
    session.full_clean()
    session.save()
    scheduling.werkplaats_reminders_replan(werkplaats=werkplaats)
    return session


# --- practice logs and case sketches ---------------------------------------------------------


@transaction.atomic
def practice_log_save(
    *, user: User, after_session: Session, tried: str, happened: str, bring_next: str
) -> PracticeLog:
    """Write or rewrite one's own log for the interval after a session, until the next starts."""
    participation = permissions.participation_of(user, after_session.werkplaats)
    if participation is None:
        raise PermissionDenied
    following = selectors.next_session(after_session)
    if following is None:
        raise ValidationError(_("Na de laatste sessie is er geen oefenperiode meer."))
    if after_session.starts_at > timezone.now():
        raise ValidationError(_("Het oefenlogboek gaat over de tijd ná deze sessie."))
    if following.starts_at <= timezone.now():
        raise ValidationError(_("De volgende sessie is al begonnen; het logboek is gesloten."))
    log, _created = PracticeLog.objects.select_for_update().get_or_create(
        participation=participation,
        after_session=after_session,
        defaults={"tried": tried, "happened": happened, "bring_next": bring_next},
    )
    log.tried, log.happened, log.bring_next = tried, happened, bring_next
    log.full_clean()
    log.save()
    return log


@transaction.atomic
def case_sketch_create(*, user: User, session: Session, title: str, situation: str) -> CaseSketch:
    """A participant brings a case to a session; it is discussed in their group."""
    participation = permissions.participation_of(user, session.werkplaats)
    if participation is None:
        raise PermissionDenied
    if participation.group_id is None:
        raise ValidationError(_("Je zit nog niet in een groep; wacht tot de groepen er zijn."))
    sketch = CaseSketch(
        session=session,
        group_id=participation.group_id,
        author=participation,
        title=title,
        situation=situation,
    )
    sketch.full_clean()
    sketch.save()
    return sketch


@transaction.atomic
def case_sketch_update(
    *, actor: User, sketch: CaseSketch, discussion: str, follow_up: str
) -> CaseSketch:
    """Record what the group discussed and agreed: its members or the werkplaats' managers."""
    if not permissions.can_see_group(actor, sketch.session.werkplaats, sketch.group_id):
        raise PermissionDenied
    sketch.discussion = discussion
    sketch.follow_up = follow_up
    sketch.full_clean()
    sketch.save(update_fields=["discussion", "follow_up", "updated_at"])
    return sketch


# --- rugdekking ------------------------------------------------------------------------------


@transaction.atomic
def rugdekking_request_create(
    *, user: User, werkplaats: Werkplaats, manager_name: str, manager_email: str, point: str
) -> RugdekkingRequest:
    """Ask a named manager for backing; they answer through a link, without an account."""
    participation = permissions.participation_of(user, werkplaats)
    if participation is None:
        raise PermissionDenied
    if manager_email.strip().lower() == user.email.lower():
        raise ValidationError(
            {"manager_email": _("Vraag rugdekking aan je leidinggevende, niet aan jezelf.")}
        )
    request = RugdekkingRequest(
        participation=participation,
        manager_name=manager_name.strip(),
        manager_email=manager_email.strip().lower(),
        point=point,
    )
    answer_links.save_new(
        request,
        salt=scheduling.TOKEN_SALT,
        valid_days=settings.WERKPLAATS_RUGDEKKING_LINK_VALID_DAYS,
    )
    scheduling.rugdekking_reminders_plan(request=request)
    return request


@transaction.atomic
def rugdekking_answer(*, token: str, granted: bool, comment: str) -> RugdekkingRequest:
    """The manager's answer: once per link, before it expires."""
    found = selectors.rugdekking_by_token(token=token)
    if found is None:
        raise PermissionDenied
    request = RugdekkingRequest.objects.select_for_update().get(pk=found.pk)
    answer_links.check_answerable(request, is_open=request.status == RugdekkingStatus.OPEN)
    request.status = RugdekkingStatus.GRANTED if granted else RugdekkingStatus.NOT_GRANTED
    answer_links.record_answer(request, comment=comment, fields=["status"])
    request.participation = found.participation
    scheduling.rugdekking_answered_plan(request=request)
    return request


# --- organisational actions ------------------------------------------------------------------


@transaction.atomic
def organisational_action_save(
    *,
    actor: User,
    werkplaats: Werkplaats,
    title: str,
    owner: str,
    due_date: date,
    status: str,
    notes: str = "",
    action: OrganisationalAction | None = None,
) -> OrganisationalAction:
    """Create an action, or change the given one."""
    _require_manager(actor, werkplaats)
    if action is None:
        action = OrganisationalAction(werkplaats=werkplaats)
    elif action.werkplaats_id != werkplaats.pk:
        raise PermissionDenied
    action.title, action.owner, action.due_date = title, owner, due_date
    action.status, action.notes = status, notes
    action.full_clean()
    action.save()
    return action
