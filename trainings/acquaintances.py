"""Whom a person met in trainings, for the netwerk (registered in ``apps.py``).

People meet in a run that has begun and was not cancelled: its enrolled participants and
its trainers. The reads are SQL statements the kernel joins into one with the other apps'
(see ``portal.network``); each reads the user's runs through the enrolment and trainer
indexes, and the people of those runs through the run indexes, whatever the number of runs.
"""

from portal import sql
from portal.network import TakingPart

from .models import EnrolmentStatus, RunStatus

TAKEN_PLACE = (RunStatus.PUBLISHED, RunStatus.COMPLETED)

# The runs the user is enrolled in or trains, as one small list: an OR of the two makes the
# database walk every run that has begun (or every enrolment).
_RUNS_OF = (
    "SELECT run_id FROM trainings_enrolment WHERE participant_id = %s AND status = %s"
    " UNION SELECT run_id FROM trainings_run_trainers WHERE user_id = %s"
)

# (person, title, began): the enrolled participants and trainers of the user's runs that
# took place and have begun. Those runs are read once, as a named subquery that both kinds
# of people join through their run index: a branch per kind that repeats the subquery
# costs more to plan than to run.
PEOPLE_MET_SQL = sql.expand(
    "WITH met_runs AS (SELECT run.id, training.title, run.starts_at FROM trainings_run run"
    " JOIN trainings_training training ON training.id = run.training_id"
    " WHERE run.id IN ({runs}) AND run.status IN (%s, %s) AND run.starts_at <= %s)"
    " SELECT enrolment.participant_id, met_runs.title, met_runs.starts_at FROM met_runs"
    " JOIN trainings_enrolment enrolment ON enrolment.run_id = met_runs.id"
    " WHERE enrolment.status = %s"
    " UNION ALL SELECT trainer.user_id, met_runs.title, met_runs.starts_at FROM met_runs"
    " JOIN trainings_run_trainers trainer ON trainer.run_id = met_runs.id",
    parts={"runs": _RUNS_OF},
)


def people_met_parameters(user_id: int, now) -> list:
    enrolled = EnrolmentStatus.ENROLLED
    return [user_id, enrolled, user_id, *TAKEN_PLACE, now, enrolled]


# (programme,): the programmes with a run the user is enrolled in or trains (published or
# held).
PROGRAMMES_SQL = sql.expand(
    "SELECT DISTINCT training.programme_id FROM trainings_run run"
    " JOIN trainings_training training ON training.id = run.training_id"
    " WHERE run.id IN ({runs}) AND run.status IN (%s, %s)",
    parts={"runs": _RUNS_OF},
)


def programmes_parameters(user_id: int, now) -> list:
    return [user_id, EnrolmentStatus.ENROLLED, user_id, *TAKEN_PLACE]


def _taking_part_parameters(programme_ids: list[int]) -> list:
    return [
        EnrolmentStatus.ENROLLED,
        *TAKEN_PLACE,
        *programme_ids,
        *TAKEN_PLACE,
        *programme_ids,
    ]


# The outer user ({user}) is enrolled in or trains a published or held run of these
# programmes: per kind, the first such row, looked up through the user's index.
TAKING_PART = TakingPart(
    "(SELECT 1 FROM trainings_enrolment enrolment"
    " JOIN trainings_run run ON run.id = enrolment.run_id"
    " JOIN trainings_training training ON training.id = run.training_id"
    " WHERE enrolment.participant_id = {user} AND enrolment.status = %s"
    " AND run.status IN (%s, %s) AND training.programme_id IN ({programmes})"
    " LIMIT 1) IS NOT NULL"
    " OR (SELECT 1 FROM trainings_run_trainers trainer"
    " JOIN trainings_run run ON run.id = trainer.run_id"
    " JOIN trainings_training training ON training.id = run.training_id"
    " WHERE trainer.user_id = {user}"
    " AND run.status IN (%s, %s) AND training.programme_id IN ({programmes})"
    " LIMIT 1) IS NOT NULL",
    _taking_part_parameters,
)
