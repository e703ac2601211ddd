from django.urls import path

from . import views

app_name = "signalen"

urlpatterns = [
    path("", views.signal_queue, name="queue"),
    path("melden/", views.signal_report, name="report"),
    path("mijn/", views.signal_own_list, name="my_list"),
    path("mijn/<int:pk>/", views.signal_own_detail, name="my_detail"),
    path("mijn/<int:pk>/antwoord/", views.signal_own_reply, name="my_reply"),
    path("dashboard/", views.signal_dashboard, name="dashboard"),
    path("bijlage/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/", views.signal_detail, name="detail"),
    path("<int:pk>/geschiedenis/", views.signal_history, name="history"),
    path("<int:pk>/toewijzen/", views.signal_assign, name="assign"),
    path("<int:pk>/notitie/", views.signal_note, name="note"),
    path("<int:pk>/vraag/", views.signal_ask, name="ask"),
    path("<int:pk>/terugkoppeling/", views.signal_feedback, name="feedback"),
    path("<int:pk>/doorsturen/", views.signal_forward, name="forward"),
    path("<int:pk>/afsluiten/", views.signal_close, name="close"),
]
