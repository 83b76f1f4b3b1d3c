from django.urls import path

from itaku.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:version>/submit/", views.submit, name="submit"),
    path("<int:version>/decide/", views.decide, name="decide"),
    path("<int:version>/download/", views.download, name="download"),
]
