"""Forms of the training console and the public sign-in page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.console.forms import choices
from portal.forms import TextAreaField

from .models import SESSION_TYPES

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class SessionForm(FlaskForm):
    """A session: organizing unit, type, times, hours, topic, lecturer, place, minutes and materials."""

    org = SelectField(_l("Organizing unit"), validators=[DataRequired()])
    type = SelectField(_l("Type of session"), choices=choices(SESSION_TYPES), validators=[DataRequired()])
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMATS, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMATS, validators=[DataRequired()])
    hours = IntegerField(_l("Hours credited (学时)"), validators=[Optional(), NumberRange(min=-1000, max=1000)],
                         description=_l("Leave empty to count by length: a full day, half a day or per hour."))
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=200)])
    lecturer = StringField(_l("Lecturer or chair"), validators=[Optional(), Length(max=60)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=120)])
    minutes = TextAreaField(_l("Minutes (markdown)"), validators=[Optional(), Length(max=20000)])
    materials = MultipleFileField(_l("Materials (PDF or photos)"))


class ImportForm(FlaskForm):
    """A sign-in sheet to import."""

    sheet = FileField(_l("Sign-in sheet (CSV or XLSX)"), validators=[FileRequired()],
                      description=_l("Columns 姓名 and 状态 (出席, 缺席, 请假, 迟到); 手机号后四位 tells namesakes apart."))


class ActionForm(FlaskForm):
    """A form with only its CSRF token (attendance screen, delete)."""


class CheckinForm(FlaskForm):
    """A member signing in on a phone: name and the last 4 digits of the phone number."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=60)],
                       render_kw={"autocomplete": "name"})
    phone4 = StringField(_l("Last 4 digits of your phone number"), validators=[DataRequired(), Length(min=4, max=4)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": "4"})
