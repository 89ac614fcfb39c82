from typing import Any

from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from providers import retention
        from providers.models import Listing, Organization

        retention.register()
        user_logged_in.connect(_accept_invites, dispatch_uid="providers_accept_invites")
        post_save.connect(_listing_saved, sender=Listing, dispatch_uid="providers_listing_saved")
        post_delete.connect(_search_changed, sender=Listing, dispatch_uid="providers_listing_deleted")
        post_save.connect(_search_changed, sender=Organization, dispatch_uid="providers_organization_saved")
        post_delete.connect(_search_changed, sender=Organization, dispatch_uid="providers_organization_deleted")


def _accept_invites(sender: object, request: object, user: object, **kwargs: object) -> None:
    """Someone invited by email joins the organisation when they sign in with that address (once verified)."""
    from providers.services import invites_accept_pending

    invites_accept_pending(user=user)


def _listing_saved(sender: object, instance: Any, **kwargs: object) -> None:
    """However a listing is saved (a service, the demo, a test factory), search sees its words and its change."""
    from providers import words

    words.learn([instance.pk])
    _search_changed(sender)


def _search_changed(sender: object, **kwargs: object) -> None:
    from providers.cache import search_changed

    search_changed()
