from django.urls import path

from itaku.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("schedule/", views.schedule, name="schedule"),
    path("periods/compile/", views.compile_period, name="compile"),
    path("periods/<int:report>/", views.report_detail, name="report"),
    path("periods/<int:report>/remarks/", views.remarks, name="remarks"),
    path("periods/<int:report>/submit/", views.submit, name="submit"),
    path("periods/<int:report>/decide/", views.decide, name="decide"),
    path("periods/<int:report>/report.pdf", views.report_pdf, name="pdf"),
    path("requests/", views.ask, name="ask"),
    path("requests/<int:asked>/answer/", views.answer, name="answer"),
    path("requests/<int:asked>/decide/", views.answer_decide, name="answer_decide"),
    path("files/<int:attachment>/", views.attachment, name="attachment"),
    path("emergency/", views.emergency, name="emergency"),
    path("emergency/channels/", views.channels, name="channels"),
    path("emergency/contacts/", views.contact_add, name="contact_add"),
    path("emergency/contacts/<int:contact>/remove/", views.contact_remove, name="contact_remove"),
]
