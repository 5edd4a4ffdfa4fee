"""Working days count Chinese public holidays and make-up working days (调休)."""

import datetime as dt

from portal.workdays import add_working_days, deadline, is_working_day, working_days_between


def test_national_day_holiday_is_skipped_and_a_makeup_saturday_counts():
    assert not is_working_day(dt.date(2026, 10, 1))
    assert is_working_day(dt.date(2026, 10, 10))  # Saturday, a make-up working day in 2026
    # filed on 30 September 2026: the next working day is after the National Day holiday
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_plain_weeks_skip_weekends():
    assert add_working_days(dt.date(2026, 11, 20), 3) == dt.date(2026, 11, 25)  # Fri + 3 → Wed
    assert working_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 25)) == 3


def test_years_without_a_published_schedule_count_monday_to_friday():
    assert is_working_day(dt.date(2031, 1, 6)) and not is_working_day(dt.date(2031, 1, 5))


def test_deadline_is_the_end_of_the_local_working_day_in_utc():
    # Friday 20 Nov 2026, 20:00 in Shanghai (12:00 UTC); 3 working days → end of Wed 25 Nov, Shanghai
    due = deadline(dt.datetime(2026, 11, 20, 12, 0), 3)
    assert due == dt.datetime(2026, 11, 25, 16, 0)
    # 23:30 UTC on Thursday is already Friday in Shanghai
    assert deadline(dt.datetime(2026, 11, 19, 23, 30), 1) == dt.datetime(2026, 11, 23, 16, 0)
