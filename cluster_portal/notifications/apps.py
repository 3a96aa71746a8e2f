from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cluster_portal.notifications"
    label = "notifications"
    verbose_name = "Notifications"
