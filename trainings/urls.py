from django.urls import path

from .views import (
    awareness,
    certificates,
    coordination,
    dashboard,
    evaluation,
    feeds,
    ideas,
    library,
    participant,
)

app_name = "trainings"

urlpatterns = [
    path("", participant.catalogue, name="catalogue"),
    path("mijn/", participant.my_trainings, name="my_trainings"),
    path("uitvoeringen/<int:run_id>/", participant.run_detail, name="run_detail"),
    path("uitvoeringen/<int:run_id>/inschrijven/", participant.enrol, name="enrol"),
    path("uitvoeringen/<int:run_id>/afmelden/", participant.cancel, name="cancel"),
    path("vrijgeven/<str:token>/", participant.release, name="release"),
    path("akkoord/<str:token>/", participant.approval_answer, name="approval_answer"),
    path(
        "inschrijvingen/<int:enrolment_id>/ontwikkelplan/",
        participant.development_plan,
        name="development_plan",
    ),
    path(
        "inschrijvingen/<int:enrolment_id>/bijeenkomsten/<int:session_id>/reflectie/",
        participant.reflection,
        name="reflection",
    ),
    path(
        "inschrijvingen/<int:enrolment_id>/certificaat.pdf",
        certificates.download,
        name="certificate_download",
    ),
    path(
        "beheer/inschrijvingen/<int:enrolment_id>/certificaat/",
        certificates.reissue,
        name="certificate_reissue",
    ),
    path(
        "beheer/certificaten/<int:certificate_id>/intrekken/",
        certificates.revoke,
        name="certificate_revoke",
    ),
    path("uitvoeringen/<int:run_id>/evaluatie/", evaluation.evaluation_answer, name="evaluation"),
    path(
        "uitvoeringen/<int:run_id>/evaluatie/bedankt/",
        evaluation.evaluation_thanks,
        name="evaluation_thanks",
    ),
    path(
        "uitvoeringen/<int:run_id>/evaluatie/resultaten/",
        evaluation.run_results,
        name="evaluation_results",
    ),
    path(
        "uitvoeringen/<int:run_id>/samenwerkingsmeter/",
        evaluation.followup_answer,
        name="followup",
    ),
    path(
        "uitvoeringen/<int:run_id>/samenwerkingsmeter/bedankt/",
        evaluation.followup_thanks,
        name="followup_thanks",
    ),
    path(
        "beheer/programmas/<int:programme_id>/evaluatievragen/",
        evaluation.evaluation_questions,
        name="evaluation_questions",
    ),
    path(
        "beheer/programmas/<int:programme_id>/evaluatie-instellingen/",
        evaluation.evaluation_settings,
        name="evaluation_settings",
    ),
    path(
        "beheer/programmas/<int:programme_id>/evaluatie/",
        evaluation.programme_results,
        name="evaluation_programme_results",
    ),
    path(
        "beheer/evaluatievragen/<int:question_id>/",
        evaluation.evaluation_question_edit,
        name="evaluation_question_edit",
    ),
    path(
        "beheer/evaluatievragen/<int:question_id>/verplaatsen/",
        evaluation.evaluation_question_move,
        name="evaluation_question_move",
    ),
    path(
        "beheer/evaluatievragen/<int:question_id>/in-gebruik/",
        evaluation.evaluation_question_toggle,
        name="evaluation_question_toggle",
    ),
    path(
        "beheer/trainingen/<int:training_id>/evaluatie/",
        evaluation.training_results,
        name="evaluation_training_results",
    ),
    path("kalender/", coordination.calendar, name="calendar"),
    path("lesgeven/", coordination.taught, name="taught"),
    path("beheer/", coordination.manage, name="manage"),
    path("beheer/trainingen/nieuw/", coordination.training_create, name="training_create"),
    path("beheer/trainingen/<int:training_id>/", coordination.training_edit, name="training_edit"),
    path(
        "beheer/trainingen/<int:training_id>/materiaal/",
        coordination.material_add,
        name="material_add",
    ),
    path(
        "beheer/trainingen/<int:training_id>/uitvoeringen/nieuw/",
        coordination.run_create,
        name="run_create",
    ),
    path("beheer/uitvoeringen/<int:run_id>/", coordination.run_edit, name="run_edit"),
    path(
        "beheer/uitvoeringen/<int:run_id>/publiceren/", coordination.run_publish, name="run_publish"
    ),
    path("beheer/uitvoeringen/<int:run_id>/annuleren/", coordination.run_cancel, name="run_cancel"),
    path(
        "beheer/uitvoeringen/<int:run_id>/afronden/", coordination.run_complete, name="run_complete"
    ),
    path(
        "beheer/uitvoeringen/<int:run_id>/bijeenkomsten/nieuw/",
        coordination.session_create,
        name="session_create",
    ),
    path("beheer/bijeenkomsten/<int:session_id>/", coordination.session_edit, name="session_edit"),
    path(
        "beheer/bijeenkomsten/<int:session_id>/vervallen/",
        coordination.session_cancel,
        name="session_cancel",
    ),
    path("programma/", dashboard.programme_dashboards, name="programme_dashboards"),
    path(
        "programma/<int:programme_id>/dashboard/",
        dashboard.programme_dashboard,
        name="programme_dashboard",
    ),
    path(
        "programma/<int:programme_id>/dashboard/uitvoeringen/",
        dashboard.programme_dashboard_runs,
        name="programme_dashboard_runs",
    ),
    path(
        "programma/<int:programme_id>/dashboard/export/",
        dashboard.programme_dashboard_export,
        name="programme_dashboard_export",
    ),
    path("uitvoeringen/<int:run_id>/deelnemers/", coordination.register, name="register"),
    path(
        "bijeenkomsten/<int:session_id>/bewustwording/",
        awareness.room,
        name="awareness_room",
    ),
    path(
        "bijeenkomsten/<int:session_id>/bewustwording/stand.json",
        awareness.room_state,
        name="awareness_state",
    ),
    path(
        "bijeenkomsten/<int:session_id>/bewustwording/element/",
        awareness.step,
        name="awareness_step",
    ),
    path(
        "bijeenkomsten/<int:session_id>/bewustwording/definities/",
        awareness.definition,
        name="awareness_definition",
    ),
    path(
        "bijeenkomsten/<int:session_id>/bewustwording/voorbeelden/",
        awareness.example,
        name="awareness_example",
    ),
    path(
        "bewustwording/voorbeelden/<int:example_id>/thema/",
        awareness.example_group,
        name="awareness_example_group",
    ),
    path(
        "bewustwording/voorbeelden/<int:example_id>/weghalen/",
        awareness.example_remove,
        name="awareness_example_remove",
    ),
    path("beheer/uitvoeringen/<int:run_id>/team/", coordination.team_enrol, name="team_enrol"),
    path("beheer/uitvoeringen/<int:run_id>/bericht/", coordination.run_mailing, name="run_mailing"),
    path("agenda/", feeds.calendar_feed_settings, name="feed_settings"),
    path("agenda/vernieuwen/", feeds.calendar_feed_reset, name="feed_reset"),
    path("agenda/<str:token>.ics", feeds.calendar_feed, name="feed"),
    path("materiaal/<int:material_id>/", feeds.material_download, name="material"),
    path(
        "beheer/uitvoeringen/<int:run_id>/deelnemers.csv",
        feeds.run_participants_csv,
        name="run_csv",
    ),
    path("bibliotheek/", library.library, name="library"),
    path("bibliotheek/voorstellen/", library.suggestions, name="library_suggestions"),
    path("bibliotheek/nieuw/", library.resource_create, name="resource_create"),
    path("bibliotheek/<int:resource_id>/", library.resource_detail, name="resource_detail"),
    path("bibliotheek/<int:resource_id>/bewerken/", library.resource_edit, name="resource_edit"),
    path(
        "bibliotheek/<int:resource_id>/publiceren/",
        library.resource_publish,
        name="resource_publish",
    ),
    path(
        "bibliotheek/<int:resource_id>/afwijzen/", library.resource_reject, name="resource_reject"
    ),
    path(
        "bibliotheek/<int:resource_id>/download/",
        library.resource_download,
        name="resource_download",
    ),
    path(
        "beheer/materiaal/<int:material_id>/naar-bibliotheek/",
        library.material_to_library,
        name="material_to_library",
    ),
    path("ideeen/", ideas.ideas, name="ideas"),
    path("ideeen/nieuw/", ideas.idea_create, name="idea_create"),
    path("ideeen/<int:idea_id>/", ideas.idea_detail, name="idea_detail"),
]
