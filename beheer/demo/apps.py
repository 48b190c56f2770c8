from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "beheer.demo"
    label = "demo"
