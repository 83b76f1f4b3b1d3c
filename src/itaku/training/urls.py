from django.urls import path

from itaku.training import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("courses/add/", views.add_course, name="add_course"),
    path("completions/add/", views.record_completion, name="record_completion"),
    path("completions.pdf", views.completions_pdf, name="completions_pdf"),
    path("import/", views.import_csv, name="import_csv"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("settings/", views.change_settings, name="settings"),
    path("files/<int:attachment>/", views.attachment, name="attachment"),
]
