"""The places Turnout knows: two-letter codes, names and default time zones.

A state spanning zones defaults to the zone where most of its people live; a channel
binding can override it (`/turnout state TX #el-paso America/Denver`). `US` is the
national program (virtual phone and text banks), kept on Eastern time.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.i18n import N_


class Place(NamedTuple):
    name: str  # in English; marked for the catalog, shown in the reader's language
    timezone: str


PLACES: dict[str, Place] = {
    "AL": Place(N_("Alabama"), "America/Chicago"),
    "AK": Place(N_("Alaska"), "America/Anchorage"),
    "AZ": Place(N_("Arizona"), "America/Phoenix"),
    "AR": Place(N_("Arkansas"), "America/Chicago"),
    "CA": Place(N_("California"), "America/Los_Angeles"),
    "CO": Place(N_("Colorado"), "America/Denver"),
    "CT": Place(N_("Connecticut"), "America/New_York"),
    "DE": Place(N_("Delaware"), "America/New_York"),
    "DC": Place(N_("District of Columbia"), "America/New_York"),
    "FL": Place(N_("Florida"), "America/New_York"),
    "GA": Place(N_("Georgia"), "America/New_York"),
    "HI": Place(N_("Hawaii"), "Pacific/Honolulu"),
    "ID": Place(N_("Idaho"), "America/Boise"),
    "IL": Place(N_("Illinois"), "America/Chicago"),
    "IN": Place(N_("Indiana"), "America/Indiana/Indianapolis"),
    "IA": Place(N_("Iowa"), "America/Chicago"),
    "KS": Place(N_("Kansas"), "America/Chicago"),
    "KY": Place(N_("Kentucky"), "America/New_York"),
    "LA": Place(N_("Louisiana"), "America/Chicago"),
    "ME": Place(N_("Maine"), "America/New_York"),
    "MD": Place(N_("Maryland"), "America/New_York"),
    "MA": Place(N_("Massachusetts"), "America/New_York"),
    "MI": Place(N_("Michigan"), "America/Detroit"),
    "MN": Place(N_("Minnesota"), "America/Chicago"),
    "MS": Place(N_("Mississippi"), "America/Chicago"),
    "MO": Place(N_("Missouri"), "America/Chicago"),
    "MT": Place(N_("Montana"), "America/Denver"),
    "NE": Place(N_("Nebraska"), "America/Chicago"),
    "NV": Place(N_("Nevada"), "America/Los_Angeles"),
    "NH": Place(N_("New Hampshire"), "America/New_York"),
    "NJ": Place(N_("New Jersey"), "America/New_York"),
    "NM": Place(N_("New Mexico"), "America/Denver"),
    "NY": Place(N_("New York"), "America/New_York"),
    "NC": Place(N_("North Carolina"), "America/New_York"),
    "ND": Place(N_("North Dakota"), "America/Chicago"),
    "OH": Place(N_("Ohio"), "America/New_York"),
    "OK": Place(N_("Oklahoma"), "America/Chicago"),
    "OR": Place(N_("Oregon"), "America/Los_Angeles"),
    "PA": Place(N_("Pennsylvania"), "America/New_York"),
    "RI": Place(N_("Rhode Island"), "America/New_York"),
    "SC": Place(N_("South Carolina"), "America/New_York"),
    "SD": Place(N_("South Dakota"), "America/Chicago"),
    "TN": Place(N_("Tennessee"), "America/Chicago"),
    "TX": Place(N_("Texas"), "America/Chicago"),
    "UT": Place(N_("Utah"), "America/Denver"),
    "VT": Place(N_("Vermont"), "America/New_York"),
    "VA": Place(N_("Virginia"), "America/New_York"),
    "WA": Place(N_("Washington"), "America/Los_Angeles"),
    "WV": Place(N_("West Virginia"), "America/New_York"),
    "WI": Place(N_("Wisconsin"), "America/Chicago"),
    "WY": Place(N_("Wyoming"), "America/Denver"),
    "PR": Place(N_("Puerto Rico"), "America/Puerto_Rico"),
    "VI": Place(N_("U.S. Virgin Islands"), "America/St_Thomas"),
    "GU": Place(N_("Guam"), "Pacific/Guam"),
    "AS": Place(N_("American Samoa"), "Pacific/Pago_Pago"),
    "MP": Place(N_("Northern Mariana Islands"), "Pacific/Saipan"),
    "US": Place(N_("National"), "America/New_York"),
}


NATIONAL_TZ = PLACES["US"].timezone


def article(code: str) -> str:
    """`a` or `an` before a state code as it is read aloud: "an NH", "an IA", "a TX"."""
    return "an" if code[:1].upper() in VOWEL_SOUND_LETTERS else "a"


# Letters whose names start with a vowel sound ("eff", "aitch", "em", "ess", …).
VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")
