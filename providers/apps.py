from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_accept_invites, dispatch_uid="providers_accept_invites")


def _accept_invites(sender: object, request: object, user: object, **kwargs: object) -> None:
    """Someone invited by email joins the organisation when they sign in with that address."""
    from providers.services import invites_accept_pending

    invites_accept_pending(user=user)
