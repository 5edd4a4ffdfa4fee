"""Forms of the disclosure console. Labels are lazy so they follow the user's language."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.console.forms import choices

from .services import CATEGORY_LABELS, KIND_LABELS


def yuan_to_fen(text):
    """"12,345.67" (yuan, as people type it) → 1234567 fen, exactly; None for an empty value."""
    text = (text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or abs(value) >= Decimal("1e12"):
        raise ValueError(text)
    return int(value * 100)


def _money(form, field):
    try:
        yuan_to_fen(field.data)
    except ValueError:
        raise ValidationError(_l("Type an amount in yuan with at most two decimals, e.g. 12345.67.")) from None


class DraftForm(FlaskForm):
    """A draft's category, kind, period, title and markdown text."""

    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS.items()), validators=[DataRequired()])
    disclosure_kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), validators=[DataRequired()])
    period = StringField(_l("Period"), validators=[Optional(), Length(max=10)],
                         description=_l("A month such as 2026-10 or a quarter such as 2026-Q4; "
                                        "empty for an immediate disclosure"))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                        description=_l("Empty: made from the village, period and category"))
    body = TextAreaField(_l("Text (Markdown)"), validators=[Optional(), Length(max=100_000)],
                         render_kw={"rows": 12})


class AttachmentForm(FlaskForm):
    """A photo or PDF to attach (a voucher, a contract, a notice)."""

    file = FileField(_l("Photo or PDF"), validators=[FileRequired(_l("Choose a file."))],
                     description=_l("JPEG, PNG or PDF; photos lose their location and other metadata"))


class StatementForm(FlaskForm):
    """A month's finance statement as CSV or XLSX, and the balances the clerk states."""

    file = FileField(_l("Statement (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))],
                     description=_l("Columns: date, voucher number, account, summary, income, expense"))
    month = StringField(_l("Month"), validators=[DataRequired(), Length(max=7)],
                        description=_l("e.g. 2026-10"))
    closing = StringField(_l("Closing balance stated by the accountant (yuan)"),
                          validators=[DataRequired(), Length(max=20), _money])
    opening = StringField(_l("Opening balance (yuan)"), validators=[Optional(), Length(max=20), _money],
                          description=_l("Only needed when no statement of the previous month is published"))


class ReasonForm(FlaskForm):
    """A reason: why a draft goes back, or what a correction changes."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 3})


class ActionForm(FlaskForm):
    """A button that takes a step (the form carries only the CSRF token)."""


# --- major decisions (四议两公开) -----------------------------------------------------------------

class DecisionForm(FlaskForm):
    """A new major decision: its title and the matter, from the township's list."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("e.g. 村内道路硬化工程立项"))
    matter = SelectField(_l("Matter"), validators=[DataRequired()],
                         description=_l("The matters that need 四议两公开, as the township's setting lists them"))


class DecisionStepForm(FlaskForm):
    """Steps 1–4: the date, what was proposed or decided, who came and voted, who signed."""

    held_on = DateField(_l("Date"), validators=[DataRequired()])
    meeting = SelectField(_l("Meeting"), validators=[Optional()])
    expected = IntegerField(_l("Expected to attend"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    present = IntegerField(_l("Present"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    approvals = IntegerField(_l("Approved"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    content = TextAreaField(_l("Content"), validators=[DataRequired(), Length(max=20_000)], render_kw={"rows": 6},
                            description=_l("What was proposed, discussed or decided"))
    signatures = StringField(_l("Signed by"), validators=[DataRequired(), Length(max=1000)],
                             description=_l("Names of those who signed, separated by 、 or commas"))
    township_attendees = StringField(_l("Township attendees"), validators=[Optional(), Length(max=1000)],
                                     description=_l("Names of the township cadres who attended, if any"))


class DecisionDisclosureForm(FlaskForm):
    """Steps 5–6: the disclosure draft to start, prefilled from the record."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=100_000)],
                         render_kw={"rows": 10})
