from django.urls import path

from .views import coordination, feeds, ideas, library, participant

app_name = "trainings"

urlpatterns = [
    path("", participant.catalogue, name="catalogue"),
    path("mijn/", participant.my_trainings, name="my_trainings"),
    path("uitvoeringen/<int:run_id>/", participant.run_detail, name="run_detail"),
    path("uitvoeringen/<int:run_id>/inschrijven/", participant.enrol, name="enrol"),
    path("uitvoeringen/<int:run_id>/afmelden/", participant.cancel, name="cancel"),
    path("vrijgeven/<str:token>/", participant.release, name="release"),
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
    path("uitvoeringen/<int:run_id>/deelnemers/", coordination.register, name="register"),
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
