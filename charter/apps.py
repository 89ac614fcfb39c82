from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "charter"

    def ready(self) -> None:
        from charter import privacy

        privacy.register()
