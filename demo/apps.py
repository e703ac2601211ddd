from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed by the dev and test settings only; production never loads the demo."""

    name = "demo"
    verbose_name = "Demo"
