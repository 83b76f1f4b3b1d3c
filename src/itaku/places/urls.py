from django.urls import path

from itaku.places import views

app_name = "places"
urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("report.pdf", views.report_pdf, name="pdf"),
    path("<int:location>/edit/", views.edit, name="edit"),
    path("<int:location>/report/", views.report, name="report"),
    path("<int:location>/decide/", views.decide, name="decide"),
]
