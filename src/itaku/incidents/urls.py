from django.urls import path

from itaku.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.raise_incident, name="raise"),
    path("categories/", views.category_add, name="category_add"),
    path("<int:incident_id>/", views.detail, name="detail"),
    path("<int:incident_id>/report/", views.report_save, name="report_save"),
    path("<int:incident_id>/report/submit/", views.report_submit, name="report_submit"),
    path("<int:incident_id>/report/decide/", views.report_decide, name="report_decide"),
    path("<int:incident_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<int:incident_id>/instructions/", views.instruct, name="instruct"),
    path("<int:incident_id>/instructions/<int:number>/answer/", views.answer, name="answer"),
    path("<int:incident_id>/instructions/<int:number>/decide/", views.answer_decide, name="answer_decide"),
    path("<int:incident_id>/statutory/", views.statutory, name="statutory"),
    path("<int:incident_id>/dates/", views.correct_dates, name="correct_dates"),
    path("<int:incident_id>/close/", views.close, name="close"),
    path("<int:incident_id>/publish/", views.publish, name="publish"),
    path("<int:incident_id>/publication.pdf", views.publication_pdf, name="publication_pdf"),
]
