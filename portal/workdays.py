"""Chinese working days: public holidays and make-up working days (调休) counted.

Deadlines in the domain are counted in working days (hotline: 3 or 13; DOMAIN.md). The
calendar comes from the chinesecalendar package, which knows the State Council's schedule
for the years it ships; for a year it does not know yet (the schedule is announced each
November) Monday to Friday count as working days, the best guess until the package is
upgraded.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=4096)
def is_working_day(day):
    """True on a working day in mainland China (a make-up Saturday counts; a holiday does not)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no schedule for
        return day.weekday() < 5


def local_date(moment):
    """The Asia/Shanghai calendar date of a UTC datetime (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(LOCAL).date()


def add_working_days(start, days):
    """The date `days` working days after the date `start` (the start day itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def deadline(filed_at, days):
    """The end of the `days`-th working day after the local day of `filed_at`, as a UTC datetime.

    A case filed on Friday evening with 3 working days is due at the end of Wednesday
    (or later when a holiday falls between).
    """
    due_day = add_working_days(local_date(filed_at), days)
    end = dt.datetime.combine(due_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LOCAL)
    return end.astimezone(dt.timezone.utc).replace(tzinfo=None)
