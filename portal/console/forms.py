"""Forms of the staff console. Labels are lazy so they follow the user's language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..accounts.services import MIN_PASSWORD_LENGTH, AccountError, check_password
from ..forms import TextAreaField
from ..orgs.models import POSITION_TITLES
from ..orgs.services import OrgError, check_established_on

try:  # WTForms 3.3+ wants SelectChoice objects; older versions take (value, label) pairs
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None

NEW_PERSON = "new"
# The browser's hint; check_password (length and guessability) is the rule, and says why
NEW_PASSWORD_ATTRS = {"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH}


def choices(pairs):
    """Select options from (value, label) pairs, in the form this WTForms version wants."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _not_in_the_future(form, field):
    # the rule is the org tree's (an import checks it too); here its message lands on the field
    try:
        check_established_on(field.data)
    except OrgError as exc:
        raise ValidationError(str(exc)) from None


class EstablishedOnField(DateField):
    """The date a unit was established: optional, never in the future."""

    def __init__(self, **kwargs):
        super().__init__(
            _l("Established on (设立日期)"), validators=[Optional(), _not_in_the_future],
            description=_l("When the unit was set up. Nothing (disclosures, meetings) is required of it for the "
                           "months before. Leave it empty if it existed before the records began."), **kwargs)


class UnitForm(FlaskForm):
    """A new child unit: kind (only those allowed here), name, code and when it was established."""

    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("12-digit statistical division code for counties, townships and villages"))
    established_on = EstablishedOnField()


class RenameForm(FlaskForm):
    """A unit's new name and code, and when it was established."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    established_on = EstablishedOnField()


class MoveForm(FlaskForm):
    """The code of the unit to move under."""

    parent_code = StringField(_l("Code of the new parent unit"), validators=[DataRequired(), Length(max=40)])


class PositionForm(FlaskForm):
    """A person in a position: an existing person or a new one, a title and dates."""

    person = SelectField(_l("Person"), default=NEW_PERSON)
    name = StringField(_l("Name of a new person"), validators=[Optional(), Length(max=60)])
    phone = StringField(_l("Phone of a new person"), validators=[Optional(), Length(max=30)],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    title = SelectField(_l("Position"), choices=choices(POSITION_TITLES), validators=[DataRequired()])
    start_date = DateField(_l("From"), validators=[DataRequired()])
    end_date = DateField(_l("Until (leave empty if still held)"), validators=[Optional()])

    def validate_name(self, field):
        if self.person.data == NEW_PERSON and not (field.data or "").strip():
            raise ValidationError(_l("Choose a person or type the name of a new one."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date cannot be before the start date."))


class EndPositionForm(FlaskForm):
    """The date a position ended."""

    end_date = DateField(_l("Ended on"), validators=[DataRequired()])


class SettingForm(FlaskForm):
    """A setting and its new value at a unit; an empty value inherits from above."""

    key = SelectField(_l("Setting"), validators=[DataRequired()])
    value = StringField(_l("Value (empty: inherit from the unit above)"), validators=[Optional(), Length(max=400)])


class ImportForm(FlaskForm):
    """A CSV file of units."""

    file = FileField(_l("CSV file (columns code, name, kind, parent_code, and if known established_on; UTF-8)"),
                     validators=[FileRequired(_l("Choose a file."))])


class UserForm(FlaskForm):
    """A new staff user and the first role they hold."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=60)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none"})
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)], render_kw=NEW_PASSWORD_ATTRS)
    # the choices start with an empty "— choose —": a role left unchosen is an error, never the first role
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    org_code = StringField(_l("At unit (code)"), validators=[DataRequired(), Length(max=40)])

    def validate_password(self, field):
        # create_user checks again; here the message lands on the password field
        try:
            check_password(field.data, (self.username.data, self.display_name.data))
        except AccountError as exc:
            raise ValidationError(str(exc)) from None


class GrantForm(FlaskForm):
    """A role at a unit."""

    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    org_code = StringField(_l("At unit (code)"), validators=[DataRequired(), Length(max=40)])


class PasswordForm(FlaskForm):
    """A new password (set_password checks it against the user's names)."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                             render_kw=NEW_PASSWORD_ATTRS)


class ActionForm(FlaskForm):
    """A button that POSTs only a CSRF token (revoke, disable, enable)."""


class ToggleForm(FlaskForm):
    """Switch a module on or off at a unit."""

    org = HiddenField(validators=[DataRequired()])
    plugin = HiddenField(validators=[DataRequired()])
    enabled = HiddenField(validators=[DataRequired()])


class NoticeForm(FlaskForm):
    """A notice (通知公告): where, title and markdown body."""

    org_code = StringField(_l("Publish at unit (code)"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (markdown)"), validators=[DataRequired(), Length(max=20000)])


class CorrectionForm(FlaskForm):
    """A corrected notice and why it changed."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (markdown)"), validators=[DataRequired(), Length(max=20000)])
    reason = TextAreaField(_l("What changed and why"), validators=[DataRequired(), Length(max=2000)])


class WithdrawForm(FlaskForm):
    """Why a notice is withdrawn."""

    reason = TextAreaField(_l("Why it is withdrawn"), validators=[DataRequired(), Length(max=2000)])
