"""QR self sign-in: a signed token for a session's window, and the sign-in itself.

The token (itsdangerous, signed with the app's secret) names the session and its window:
from 30 minutes before the start to the end. A member opens the link on a phone and is
identified by name and the last 4 digits of the phone number (or as the logged-in user's
person); a second sign-in is refused.
"""

import io
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from portal.extensions import db
from portal.timeutil import to_local, utcnow

from .models import ATTENDED, TrainingSession
from .services import TrainingError, attendance_map, local_label, mark_attendance, members, session_day

OPENS_BEFORE = timedelta(minutes=30)
SALT = "training.checkin"


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def window(session):
    """(opens, closes) in naive UTC: 30 minutes before the start until the end."""
    return session.starts_at - OPENS_BEFORE, session.ends_at


def _ts(dt):
    return int((dt - datetime(1970, 1, 1)).total_seconds())


def make_token(session):
    """The signed sign-in token of a session (its id and window)."""
    opens, closes = window(session)
    return _serializer().dumps({"s": session.id, "o": _ts(opens), "c": _ts(closes)})


def qr_svg(url):
    """The QR code of `url` as inline SVG markup (no style attributes: the CSP forbids them)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, xmldecl=False, svgns=True, nl=False,
                                    title=None, svgclass="training-qr", lineclass=None)
    return out.getvalue().decode("utf-8")


def session_for_token(token, now=None):
    """The session a token names, if the token is genuine and its window is open; else TrainingError."""
    try:
        data = _serializer().loads(token)
        session = db.session.get(TrainingSession, int(data["s"]))
        opens_ts, closes_ts = int(data["o"]), int(data["c"])
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise TrainingError(errors=[_("This sign-in code is not valid. Scan the code shown at the session again.")]) \
            from None
    if session is None:
        raise TrainingError(errors=[_("This session no longer exists.")])
    if (opens_ts, closes_ts) != tuple(map(_ts, window(session))):
        raise TrainingError(errors=[_("The session's time was changed; scan the new code shown at the session.")])
    now = now or utcnow()
    opens, closes = window(session)
    if now > closes:
        raise TrainingError(errors=[_("This sign-in code has expired: the session ended at %(end)s.",
                                      end=local_label(closes))])
    if now < opens:
        raise TrainingError(errors=[_("Sign-in opens at %(opens)s, 30 minutes before the session starts.",
                                      opens=local_label(opens))])
    return session


def identify(session, name, phone4):
    """The member of the session's unit with this name and phone ending, or None."""
    name, phone4 = (name or "").strip(), (phone4 or "").strip()
    if not name or len(phone4) != 4 or not phone4.isdigit():
        return None
    found = [p for p in members(session.org, session_day(session))
             if p.name == name and (p.phone or "").endswith(phone4)]
    return found[0] if len(found) == 1 else None


def check_in(session, person, now=None):
    """Record `person` present at `session` by QR; refuse a second sign-in. Return the Attendance."""
    now = now or utcnow()
    row = attendance_map(session).get(person.id)
    if row is not None and row.status in ATTENDED:
        when = to_local(row.signed_at).strftime("%H:%M") if row.signed_at else None
        if when:
            raise TrainingError(errors=[_("You have already signed in to this session (at %(time)s).", time=when)])
        raise TrainingError(errors=[_("You are already recorded as present at this session.")])
    mark_attendance(session, {person.id: "present"}, method="qr", signed_at=now.replace(microsecond=0))
    return attendance_map(session)[person.id]
