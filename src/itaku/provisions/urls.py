from django.urls import path

from itaku.provisions import views

app_name = "provisions"
urlpatterns = [
    path("", views.version_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
]
