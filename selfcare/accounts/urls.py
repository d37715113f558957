from django.contrib.auth import views as auth_views
from django.urls import path

from .views import login as login_views

app_name = "accounts"
urlpatterns = [
    path("accedi/", login_views.LoginView.as_view(), name="login"),
    path("esci/", auth_views.LogoutView.as_view(), name="logout"),
]
