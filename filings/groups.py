"""Which group a form belongs to on `/filings/`: the IR site's own sorting of EDGAR's forms.

An amendment ("10-K/A", "DEF 14A/A"... EDGAR writes it as the base form and "/A") is grouped
with its base form. Pure Python: the models store the group with each filing (filtered by
index), and the public site's filter and feeds name the groups by these slugs.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    slug: str
    label: str
    # What a reader is told the group holds (the filter's option and the feed's description).
    description: str


ANNUAL = Group("annual", "Annual reports", "Form 10-K and its variants (10-KT, 20-F, 40-F)")
QUARTERLY = Group("quarterly", "Quarterly reports", "Form 10-Q")
CURRENT = Group("current", "Current reports", "Form 8-K (and 6-K)")
PROXY = Group("proxy", "Proxy statements", "DEF 14A, additional and preliminary proxy materials")
REGISTRATION = Group("registration", "Registration statements", "Forms S-1, S-3, S-4, S-8 ...")
SECTION_16 = Group("section-16", "Section 16 (insiders)", "Forms 3, 4 and 5")
OTHER = Group("other", "Other filings", "Every other form")

GROUPS: tuple[Group, ...] = (ANNUAL, QUARTERLY, CURRENT, PROXY, REGISTRATION, SECTION_16, OTHER)
BY_SLUG = {g.slug: g for g in GROUPS}
SLUG_MAX_LENGTH = max(len(g.slug) for g in GROUPS)

_EXACT = {
    **dict.fromkeys(["10-K", "10-K405", "10-KT", "10-KSB", "20-F", "40-F"], ANNUAL),
    **dict.fromkeys(["10-Q", "10-QT", "10-QSB"], QUARTERLY),
    **dict.fromkeys(["8-K", "8-K12B", "8-K12G3", "8-K15D5", "6-K"], CURRENT),
    **dict.fromkeys(["3", "4", "5"], SECTION_16),
    **dict.fromkeys(["POS AM", "POSASR", "POS EX"], REGISTRATION),
    **dict.fromkeys(["PX14A6G", "PX14A6N"], PROXY),
}
# DEF 14A, DEFA14A, DEFM14A, DEFR14A, DEFC14A, PRE 14A, PREM14A, PRER14A, PREC14A ... 14C too.
_PROXY = re.compile(r"^(DEF|PRE)[A-Z]? ?14[AC]$")
# S-1, S-3ASR, S-8 POS, S-1MEF; F-1, F-3, F-4 (a foreign issuer's).
_REGISTRATION = re.compile(r"^[SF]-\d")


def base_form(form: str) -> str:
    """The form an amendment amends ("10-K/A" -> "10-K"); a form that is no amendment itself."""
    return form[:-2] if form.endswith("/A") else form


def is_amendment(form: str) -> bool:
    return form.endswith("/A")


def group_of(form: str) -> Group:
    """The group of ``form`` as EDGAR spells it (upper case, spaces kept)."""
    base = base_form(form.strip().upper())
    if found := _EXACT.get(base):
        return found
    if _PROXY.match(base):
        return PROXY
    if _REGISTRATION.match(base):
        return REGISTRATION
    return OTHER
