from django.urls import path

from bench.floor import views

urlpatterns = [path("", views.hello), path("insert/", views.insert)]
