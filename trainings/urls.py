from django.urls import path

from .views import feeds, participant

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
    path("agenda/", feeds.calendar_feed_settings, name="feed_settings"),
    path("agenda/vernieuwen/", feeds.calendar_feed_reset, name="feed_reset"),
    path("agenda/<str:token>.ics", feeds.calendar_feed, name="feed"),
    path("materiaal/<int:material_id>/", feeds.material_download, name="material"),
    path(
        "beheer/uitvoeringen/<int:run_id>/deelnemers.csv",
        feeds.run_participants_csv,
        name="run_csv",
    ),
]
