from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.SubscribeView.as_view(), name="subscribe"),
    path("embed/", views.EmbedView.as_view(), name="embed"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("preferences/<str:token>/", views.PreferencesView.as_view(), name="preferences"),
]
