"""Vocabularies fixed by the contract and shared by several apps."""

from django.db import models


class Area(models.TextChoices):
    KENT = "kent", "Kent (all districts)"
    MEDWAY = "medway", "Medway"
    ASHFORD = "ashford", "Ashford"
    CANTERBURY = "canterbury", "Canterbury"
    DARTFORD = "dartford", "Dartford"
    DOVER = "dover", "Dover"
    FOLKESTONE_AND_HYTHE = "folkestone_and_hythe", "Folkestone and Hythe"
    GRAVESHAM = "gravesham", "Gravesham"
    MAIDSTONE = "maidstone", "Maidstone"
    SEVENOAKS = "sevenoaks", "Sevenoaks"
    SWALE = "swale", "Swale"
    THANET = "thanet", "Thanet"
    TONBRIDGE_AND_MALLING = "tonbridge_and_malling", "Tonbridge and Malling"
    TUNBRIDGE_WELLS = "tunbridge_wells", "Tunbridge Wells"


KENT_DISTRICTS = [area.value for area in Area if area not in (Area.KENT, Area.MEDWAY)]


def areas_matching(area: str) -> list[str]:
    """The contract's area filter: a district also matches `kent`; `kent` matches every Kent district."""
    if area == Area.KENT:
        return [Area.KENT, *KENT_DISTRICTS]
    if area in KENT_DISTRICTS:
        return [area, Area.KENT]
    return [area]


class Outcome(models.TextChoices):
    """The ten Care Act 2014 eligibility outcomes."""

    NUTRITION = "nutrition", "Managing and maintaining nutrition"
    HYGIENE = "hygiene", "Maintaining personal hygiene"
    TOILET = "toilet", "Managing toilet needs"
    CLOTHING = "clothing", "Being appropriately clothed"
    HOME_SAFETY = "home_safety", "Being able to make use of the home safely"
    HABITABLE_HOME = "habitable_home", "Maintaining a habitable home environment"
    RELATIONSHIPS = "relationships", "Developing and maintaining family or other personal relationships"
    WORK_EDUCATION_VOLUNTEERING = "work_education_volunteering", "Accessing work, training, education or volunteering"
    COMMUNITY_AND_RECREATION = (
        "community_and_recreation",
        "Using facilities or services in the community, including transport and recreation",
    )
    CARING_FOR_CHILD = "caring_for_child", "Carrying out any caring responsibilities for a child"
