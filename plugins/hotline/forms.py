"""Forms of the hotline: the public complaint form, tracking and rating, and the console's case actions."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import TextAreaField

from .labels import CATEGORY_LABELS, RATING_LABELS
from .models import PUBLIC_CATEGORIES, RATINGS, HotlineError
from .services import MAX_DESCRIPTION, MAX_PHONE, PHONE_PATTERN, clean_phone

TOO_LONG = _l("The description may have at most %(max)d characters.", max=MAX_DESCRIPTION)


class VillageSelect(Select):
    """WTForms' select with a plain option renderer: a county's form lists hundreds of villages."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        selected = " selected" if choice.selected else ""
        return Markup(f'<option value="{escape(choice.value)}"{selected}>{escape(choice.label or choice.value)}</option>')


class CaseForm(FlaskForm):
    """The villager's complaint form (no account needed)."""

    class Meta:
        # CSRFProtect checks the token of every POST before the view runs (portal.extensions.csrf);
        # the form's own token field would only sign a second, unused token on each filing, about a
        # twentieth of a filing's work (bench/README.md). The template renders the session's token.
        csrf = False

    category = RadioField(_l("What kind of matter is it?"),
                          choices=[SelectChoice(value=c, label=CATEGORY_LABELS[c]) for c in PUBLIC_CATEGORIES],
                          validators=[DataRequired(_l("Choose a kind of matter."))])
    village = SelectField(_l("Village concerned"), validators=[DataRequired(_l("Choose the village."))],
                          description=_l("Villages are listed by township."), widget=VillageSelect())
    description = TextAreaField(_l("What happened?"),
                                validators=[DataRequired(_l("Describe the matter.")),
                                            Length(max=MAX_DESCRIPTION, message=TOO_LONG)],
                                description=_l("Where, when, who is affected, what you ask for. "
                                               "At most %(max)d characters.", max=MAX_DESCRIPTION),
                                render_kw={"rows": 7, "maxlength": MAX_DESCRIPTION})
    accused = StringField(_l("Whom is it about? (optional)"), validators=[Optional(), Length(max=200)],
                          description=_l("A unit or a person. A case is never passed to the one it is about."))
    photos = MultipleFileField(_l("Photos (optional, up to 3, JPEG or PNG)"),
                               render_kw={"accept": "image/jpeg,image/png"})
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=60)],
                       render_kw={"autocomplete": "name"})
    # validate_phone is the rule (clean_phone, as for Open311); maxlength and pattern let a browser help
    phone = StringField(_l("Your phone (optional)"), validators=[Optional()],
                        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": MAX_PHONE,
                                   "pattern": PHONE_PATTERN},
                        description=_l("Only staff allowed to call you back see it; never published."))
    confidential = BooleanField(_l("Keep who I am confidential (保密)"))
    # Honeypot: hidden from people by CSS; a bot that fills every field gives itself away.
    website = StringField(_l("Leave this field empty"), validators=[Optional()],
                          render_kw={"autocomplete": "off", "tabindex": "-1"})

    def validate_phone(self, field):
        try:
            clean_phone(field.data)
        except HotlineError as exc:
            raise ValidationError(str(exc)) from None

    def set_villages(self, groups):
        """Village choices grouped by township: works without JavaScript."""
        self.village.choices = [SelectChoice(value="", label=_l("— choose —"))] + [
            SelectChoice(value=v.code, label=v.name, optgroup=t.name) for t, villages in groups for v in villages]


class TrackForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup

    code = StringField(_l("Tracking code"), validators=[DataRequired()],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class RateForm(FlaskForm):
    rating = RadioField(_l("How satisfied are you with the reply?"),
                        choices=[SelectChoice(value=r, label=RATING_LABELS[r]) for r in RATINGS],
                        validators=[DataRequired(_l("Choose one of the five grades."))])


class TextForm(FlaskForm):
    """A reply or an internal note."""

    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 5})


class AssignForm(FlaskForm):
    unit = SelectField(lazy_pgettext("assignee", "Unit"), validators=[Optional()])
    user = SelectField(lazy_pgettext("assignee", "Person"), validators=[Optional()])


class ExtendForm(FlaskForm):
    days = IntegerField(_l("Extra working days"), validators=[DataRequired(), NumberRange(min=1, max=30)])
    reason = TextAreaField(_l("Reason (the villager reads it)"), validators=[DataRequired(), Length(max=1000)],
                           render_kw={"rows": 3})


class MergeForm(FlaskForm):
    target = StringField(_l("Tracking code of the case to merge into"), validators=[DataRequired(), Length(max=20)])


class AccusedForm(FlaskForm):
    unit = SelectField(_l("Unit complained about"), validators=[Optional()])
    person = SelectField(_l("Person complained about"), validators=[Optional()])


class ActionForm(FlaskForm):
    """A button with only a CSRF token (sign, close, show personal data)."""

