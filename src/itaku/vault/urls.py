from django.urls import path

from itaku.vault import outflow_urls, views

app_name = "vault"
urlpatterns = [
    *outflow_urls.urlpatterns,  # copies, the return, disposal (articles 10, 12, 13)
    path("", views.index, name="index"),
    path("<int:dataset>/", views.dataset, name="dataset"),
    path("<int:dataset>/purpose/", views.choose_purpose, name="purpose"),
    path("<int:dataset>/records/<int:record>/", views.record, name="record"),
    path("<int:dataset>/records/new/", views.record_new, name="record_new"),
    path("<int:dataset>/records/<int:record>/correct/", views.record_correct, name="record_correct"),
    path("<int:dataset>/import/", views.import_csv, name="import"),
    path("new/", views.dataset_new, name="dataset_new"),
    path("<int:dataset>/import/progress/", views.import_progress, name="import_progress"),
    path("<int:dataset>/notices/", views.notices, name="notices"),
    path("<int:dataset>/handovers/", views.handovers, name="handovers"),
]
