"""UK postcodes: format checks, and the area a Kent or Medway postcode district lies in.

The table names, for each outward code (postcode district) in the CT, ME, DA and TN postcode areas, the Waymark
areas it overlaps. One entry means the district lies wholly in that area and the listing's area is derived from it.
Several entries mean it spans areas (the first is the likeliest, offered as the default); the provider must choose.
An empty list means the district lies outside Kent and Medway (London boroughs, East Sussex, Surrey): the provider
says which Kent or Medway area they serve. Postcodes are checked for format only and never guessed or corrected.
"""

from __future__ import annotations

import re

from config.choices import Area

POSTCODE_RE = re.compile(r"^(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?) ?(?P<inward>[0-9][A-Z]{2})$")
OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")

A = Area
OUTWARD_AREAS: dict[str, list[str]] = {
    # CT: Canterbury, Thanet, Dover, Folkestone and Hythe
    "CT1": [A.CANTERBURY],
    "CT2": [A.CANTERBURY],
    "CT3": [A.CANTERBURY, A.DOVER],
    "CT4": [A.CANTERBURY, A.ASHFORD, A.FOLKESTONE_AND_HYTHE],
    "CT5": [A.CANTERBURY],
    "CT6": [A.CANTERBURY],
    "CT7": [A.THANET],
    "CT8": [A.THANET],
    "CT9": [A.THANET],
    "CT10": [A.THANET],
    "CT11": [A.THANET],
    "CT12": [A.THANET, A.DOVER],
    "CT13": [A.DOVER],
    "CT14": [A.DOVER],
    "CT15": [A.DOVER],
    "CT16": [A.DOVER],
    "CT17": [A.DOVER],
    "CT18": [A.FOLKESTONE_AND_HYTHE, A.DOVER],
    "CT19": [A.FOLKESTONE_AND_HYTHE],
    "CT20": [A.FOLKESTONE_AND_HYTHE],
    "CT21": [A.FOLKESTONE_AND_HYTHE],
    # ME: Medway, Maidstone, Swale, Tonbridge and Malling
    "ME1": [A.MEDWAY, A.TONBRIDGE_AND_MALLING],
    "ME2": [A.MEDWAY],
    "ME3": [A.MEDWAY, A.GRAVESHAM],
    "ME4": [A.MEDWAY],
    "ME5": [A.MEDWAY, A.TONBRIDGE_AND_MALLING],
    "ME6": [A.TONBRIDGE_AND_MALLING],
    "ME7": [A.MEDWAY, A.MAIDSTONE],
    "ME8": [A.MEDWAY],
    "ME9": [A.SWALE, A.MAIDSTONE],
    "ME10": [A.SWALE],
    "ME11": [A.SWALE],
    "ME12": [A.SWALE],
    "ME13": [A.SWALE],
    "ME14": [A.MAIDSTONE],
    "ME15": [A.MAIDSTONE],
    "ME16": [A.MAIDSTONE],
    "ME17": [A.MAIDSTONE],
    "ME18": [A.TONBRIDGE_AND_MALLING, A.MAIDSTONE],
    "ME19": [A.TONBRIDGE_AND_MALLING],
    "ME20": [A.TONBRIDGE_AND_MALLING],
    # DA: Dartford, Gravesham, Sevenoaks; DA5-DA8 and DA14-DA18 are the London Borough of Bexley (and Bromley)
    "DA1": [A.DARTFORD],  # Crayford's DA1 4 sector is in Bexley: a London address gives its area explicitly
    "DA2": [A.DARTFORD],
    "DA3": [A.SEVENOAKS, A.DARTFORD],
    "DA4": [A.SEVENOAKS, A.DARTFORD],
    "DA5": [],
    "DA6": [],
    "DA7": [],
    "DA8": [],
    "DA9": [A.DARTFORD],
    "DA10": [A.DARTFORD],
    "DA11": [A.GRAVESHAM],
    "DA12": [A.GRAVESHAM],
    "DA13": [A.GRAVESHAM, A.TONBRIDGE_AND_MALLING, A.SEVENOAKS],
    "DA14": [],
    "DA15": [],
    "DA16": [],
    "DA17": [],
    "DA18": [],
    # TN: West and mid Kent and Ashford; TN5-TN7 and TN19-TN22, TN31-TN40 are East Sussex
    "TN1": [A.TUNBRIDGE_WELLS],
    "TN2": [A.TUNBRIDGE_WELLS],
    "TN3": [A.TUNBRIDGE_WELLS, A.SEVENOAKS],  # also East Sussex villages
    "TN4": [A.TUNBRIDGE_WELLS],
    "TN5": [],
    "TN6": [],
    "TN7": [],
    "TN8": [A.SEVENOAKS],
    "TN9": [A.TONBRIDGE_AND_MALLING],
    "TN10": [A.TONBRIDGE_AND_MALLING],
    "TN11": [A.TONBRIDGE_AND_MALLING, A.SEVENOAKS, A.TUNBRIDGE_WELLS],
    "TN12": [A.TUNBRIDGE_WELLS, A.MAIDSTONE, A.TONBRIDGE_AND_MALLING],
    "TN13": [A.SEVENOAKS],
    "TN14": [A.SEVENOAKS],
    "TN15": [A.SEVENOAKS, A.TONBRIDGE_AND_MALLING],
    "TN16": [A.SEVENOAKS],  # also Biggin Hill (Bromley) and Surrey
    "TN17": [A.TUNBRIDGE_WELLS, A.MAIDSTONE],
    "TN18": [A.TUNBRIDGE_WELLS],
    "TN19": [],
    "TN20": [],
    "TN21": [],
    "TN22": [],
    "TN23": [A.ASHFORD],
    "TN24": [A.ASHFORD],
    "TN25": [A.ASHFORD, A.FOLKESTONE_AND_HYTHE],
    "TN26": [A.ASHFORD],
    "TN27": [A.ASHFORD, A.MAIDSTONE],
    "TN28": [A.FOLKESTONE_AND_HYTHE],
    "TN29": [A.FOLKESTONE_AND_HYTHE],
    "TN30": [A.ASHFORD],
    **{f"TN{n}": [] for n in range(31, 41)},
}
# Districts that span areas inside Kent and Medway and also reach outside it.
SPANS_OUTSIDE = {"DA1", "TN3", "TN16"}


def postcode_normalise(value: str) -> str | None:
    """`ct1 2ab` -> `CT1 2AB`; None when it is not a UK postcode's format."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    match = POSTCODE_RE.match(compact)
    if not match:
        return None
    return f"{match['outward']} {match['inward']}"


def outward_code(value: str) -> str | None:
    """The outward code (district) of a full postcode or of an outward code alone; None if neither."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if OUTWARD_RE.match(compact):
        return compact
    full = postcode_normalise(compact)
    return full.split(" ")[0] if full else None


def areas_for_outward(outward: str) -> list[str]:
    """The areas a district overlaps (see the module's docstring); empty when unknown or outside Kent and Medway."""
    return [str(area) for area in OUTWARD_AREAS.get(outward, [])]


def area_for_postcode(postcode: str) -> str | None:
    """The one area a postcode's district lies wholly in, or None when it spans areas or lies elsewhere."""
    outward = outward_code(postcode)
    if outward is None or outward in SPANS_OUTSIDE:
        return None
    areas = areas_for_outward(outward)
    return areas[0] if len(areas) == 1 else None


def likeliest_area(postcode: str) -> str | None:
    """The area to offer first when the provider must choose (a form's default); None if we cannot say."""
    outward = outward_code(postcode)
    areas = areas_for_outward(outward) if outward else []
    return areas[0] if areas else None
