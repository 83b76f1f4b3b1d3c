from django.urls import path

from itaku.incidents import views

app_name = "published"
urlpatterns = [
    path("", views.published, name="index"),
    path("feed/", views.feed, name="feed"),
]
