"""Public holidays and school holidays in the Netherlands, without the ORM.

Dates are local dates; combine them with an organisation's own closing days in
:attr:`beheer.calendars.business_time.Calendar.closed`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays


def dutch_holidays(
    years: Iterable[int], *, liberation_day_every_year: bool, good_friday: bool = True
) -> frozenset[date]:
    """Dutch public holidays (local dates) for ``years``, from the ``holidays`` package (NL, public).

    What the package gives, and what this function does with it:

    - New Year's Day, Easter Sunday and Monday, Ascension Day, Whit Sunday and Monday, Christmas Day
      and Boxing Day.
    - King's Day: 27 April, or Saturday 26 April when the 27th is a Sunday (Queen's Day before 2014);
      kept as the package says.
    - Good Friday: the package lists it as a public holiday, although the law (Algemene termijnenwet)
      does not and many employers stay open. Kept by default; pass ``good_friday=False`` to drop it.
    - Liberation Day (5 May): the package lists it only in lustrum years (2025, 2030, ...), the rule
      in many collective agreements. ``liberation_day_every_year=True`` adds 5 May in every year;
      ``False`` keeps the package's lustrum-only rule.

    Sundays in the list (Easter, Whit Sunday) are harmless for a weekday calendar. Combine the result
    with an organisation's own closing days in :attr:`Calendar.closed`.
    """
    wanted = sorted(set(years))
    if not wanted:
        return frozenset()
    table = holidays.country_holidays("NL", years=wanted, language="en_US")
    result = {day for day, name in table.items() if good_friday or name != "Good Friday"}
    if liberation_day_every_year:
        result.update(date(year, 5, 5) for year in wanted if year >= 1946)
    return frozenset(result)


def school_holidays(years: Iterable[int], *, region: str) -> frozenset[date]:
    """The school holidays of ``region`` (Noord, Midden, Zuid) for ``years``, from the ``holidays``
    package (NL, category school)."""
    wanted = sorted(set(years))
    if not wanted or not region:
        return frozenset()
    return frozenset(holidays.country_holidays("NL", years=wanted, categories=("school",), subdiv=region))


@lru_cache(maxsize=64)
def closed_days(
    years: tuple[int, ...], *, public: bool, liberation_yearly: bool, region: str
) -> frozenset[date]:
    """The holidays a calendar is closed on: the public holidays when ``public``, and the school
    holidays of ``region`` when one is given."""
    days: set[date] = set()
    if public:
        days |= dutch_holidays(years, liberation_day_every_year=liberation_yearly)
    if region:
        days |= school_holidays(years, region=region)
    return frozenset(days)
