"""How charter states look on the pages: one place, so templates never compare states themselves."""

from django import template

from charter.models import SignatureStatus

register = template.Library()

SIGNATURE_TAGS: dict[str, str] = {
    SignatureStatus.PENDING: "nhsuk-tag--yellow",
    SignatureStatus.VERIFIED: "nhsuk-tag--green",
    SignatureStatus.SUSPENDED: "nhsuk-tag--red",
}

EVENT_WORDS = {
    "published": "Published",
    "signed": "Signed",
    "verified": "Verified",
    "suspended": "Suspended",
    "concern_raised": "Concern raised",
    "concern_resolved": "Concern resolved",
}


@register.filter
def signature_tag_class(status: str) -> str:
    return SIGNATURE_TAGS.get(status, "nhsuk-tag--grey")


@register.filter
def event_words(action: str) -> str:
    return EVENT_WORDS.get(action, action.replace("_", " ").capitalize())
