"""Time: stored in UTC (naive datetimes, UTC by convention), shown in Asia/Shanghai."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow():
    """The current time in UTC, naive, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(dt):
    """A stored UTC datetime as an aware Asia/Shanghai datetime."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def local_today():
    """Today's date in Asia/Shanghai."""
    return datetime.now(LOCAL_TZ).date()
