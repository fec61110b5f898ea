from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "retour.notifications"
    label = "notifications"
