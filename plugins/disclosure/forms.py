"""Forms of the disclosure console. Labels are lazy so they follow the user's language."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.console.forms import choices
from portal.forms import TextAreaField

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
    disclosure_kind = SelectField(lazy_pgettext("disclosure", "Kind"), choices=choices(KIND_LABELS.items()), validators=[DataRequired()])
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
    present = IntegerField(_l("Number present"), validators=[Optional(), NumberRange(min=0, max=100_000)])
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


# --- villagers take part: on-request disclosure (点题公开) and objections (异议) ----------------------

def _honeypot():
    # hidden from people by CSS; a bot that fills every field gives itself away
    return StringField(_l("Leave this field empty"), validators=[Optional()],
                       render_kw={"autocomplete": "off", "tabindex": "-1"})


def _name():
    return StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=60)],
                       render_kw={"autocomplete": "name"})


def _phone():
    return StringField(_l("Your phone (optional)"), validators=[Optional(), Length(max=30)],
                       render_kw={"autocomplete": "tel", "inputmode": "tel"},
                       description=_l("Only staff allowed to call you back see it; never published."))


class AskForm(FlaskForm):
    """A villager asks the village to disclose a topic (点题公开); no account needed."""

    topic = StringField(_l("What should the village disclose?"),
                        validators=[DataRequired(_l("Say what you want the village to disclose.")),
                                    Length(max=200, message=_l("The topic may have at most %(max)d characters."))],
                        description=_l("e.g. how the road repair money was spent"), render_kw={"maxlength": 200})
    detail = TextAreaField(_l("Details (optional)"),
                           validators=[Optional(), Length(max=1500, message=_l(
                               "The details may have at most %(max)d characters."))],
                           render_kw={"rows": 5, "maxlength": 1500})
    name = _name()
    phone = _phone()
    website = _honeypot()


class ObjectionForm(FlaskForm):
    """A villager objects to a published disclosure (异议); no account needed."""

    text = TextAreaField(_l("What is wrong with this disclosure?"),
                         validators=[DataRequired(_l("Say what is wrong with the disclosure.")),
                                     Length(max=1500, message=_l("The objection may have at most %(max)d characters."))],
                         description=_l("Which item, what you believe is right, and why. At most 1500 characters."),
                         render_kw={"rows": 6, "maxlength": 1500})
    name = _name()
    phone = _phone()
    website = _honeypot()


class DisputeForm(FlaskForm):
    """The villager is still not satisfied with the village's answer: it goes to the township."""

    reason = TextAreaField(_l("Why are you still not satisfied?"),
                           validators=[DataRequired(_l("Say why you are still not satisfied.")),
                                       Length(max=1500, message=_l("The reason may have at most %(max)d characters."))],
                           render_kw={"rows": 4, "maxlength": 1500})


class CodeForm(FlaskForm):
    """Look up a request or an objection by its tracking code (a GET form)."""

    class Meta:
        csrf = False

    code = StringField(_l("Tracking code"), validators=[DataRequired()],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class AnswerForm(FlaskForm):
    """A written answer to an objection, by the village or the township."""

    text = TextAreaField(_l("Written answer (the villager reads it)"), validators=[DataRequired(), Length(max=5000)],
                         render_kw={"rows": 6})
