"""Month and day names, in one place: the follow-up rewriter and the refusal rules ignore them as names, the
question analysis reads them as dates, and a document's label names its month."""

from __future__ import annotations

import re

MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                           "September", "October", "November", "December")
# the abbreviations documents write ("13 Nov. 2022"); "May" needs none
MONTH_ABBREVIATIONS: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
                                        "Nov", "Dec")
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def month_name(number: int) -> str:
    """1 -> "January"."""
    return MONTHS[number - 1]


def month_of(date: str | None) -> str:
    """"2025-11-20" -> "November 2025"; "" for a date without a month ("2025", None)."""
    if not date or not re.match(r"\d{4}-(0[1-9]|1[0-2])", date):
        return ""
    return f"{month_name(int(date[5:7]))} {date[:4]}"
