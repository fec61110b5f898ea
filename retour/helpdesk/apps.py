from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "retour.helpdesk"
    label = "helpdesk"
