from django.urls import path

from .views import ContactListView, logo

app_name = "contacts"
urlpatterns = [
    path("", ContactListView.as_view(), name="list"),
    path("logo/<str:name>", logo, name="logo"),
]
