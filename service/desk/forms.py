from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from service.desk.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    new_password = PasswordField("New password", validators=[
        DataRequired(),
        Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
               message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters."),
    ])
    confirm_password = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new_password", message="The two new passwords differ."),
    ])


class TokenCreateForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=120)],
                       description="What the token is for, e.g. \"content import script\".")


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class AvailabilityForm(FlaskForm):
    active = BooleanField("Active (may log in and receive questions)")
    on_leave_until = DateField("On leave until", validators=[Optional()])
