from django.urls import path

from itaku.vault import views

app_name = "vault"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:dataset>/", views.dataset, name="dataset"),
    path("<int:dataset>/purpose/", views.choose_purpose, name="purpose"),
    path("<int:dataset>/records/<int:record>/", views.record, name="record"),
    path("<int:dataset>/import/", views.import_csv, name="import"),
]
