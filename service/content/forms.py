"""Editor forms for /desk/content: articles, sections and FAQs (every one carries a CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from service.content.models import TOPICS

try:  # WTForms 3.3 deprecates (value, label) tuples as choices; 3.4 removes them
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None  # type: ignore[assignment,misc]


def choice(value: str, label: str) -> object:
    """One <option>, in whichever form the installed WTForms prefers."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


SLUG_RULE = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Use lower-case letters, digits and single hyphens.")
TOPIC_CHOICES = [choice(t, t) for t in TOPICS]


def strip_text(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ArticleForm(FlaskForm):
    title = StringField("Title", filters=[strip_text], validators=[DataRequired("Give the article a title."), Length(max=200)])
    slug = StringField(
        "Address (slug)", filters=[strip_text], validators=[Optional(), Length(max=120), SLUG_RULE],
        description="Leave empty to make one from the title. Changing it keeps the old address working.",
    )
    section = SelectField("Section", choices=[], validate_choice=True)
    summary = TextAreaField("Summary", filters=[strip_text], validators=[Length(max=1000)])
    seo_description = StringField(
        "Search engine description", filters=[strip_text], validators=[Length(max=300)],
        description="One or two sentences shown in search results (up to 300 characters).",
    )
    tags = StringField(
        "Tags", filters=[strip_text], validators=[Length(max=500)],
        description="Comma-separated, for example: back-pain, surgery, recovery",
    )
    body_md = TextAreaField("Body (Markdown)", validators=[Length(max=200_000)])
    publish_at = DateTimeLocalField(
        "Publish at (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description="Only used by the Schedule button.",
    )
    note = StringField("Revision note", filters=[strip_text], validators=[Optional(), Length(max=200)],
                       description="Optional: what changed, for the revision history.")

    def tag_list(self) -> list[str]:
        return [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]


class SectionForm(FlaskForm):
    title = StringField("Title", filters=[strip_text], validators=[DataRequired("Give the section a title."), Length(max=200)])
    slug = StringField("Address (slug)", filters=[strip_text], validators=[Optional(), Length(max=120), SLUG_RULE],
                       description="Leave empty to make one from the title.")
    topic = SelectField("Topic", choices=TOPIC_CHOICES, validate_choice=True)
    description = TextAreaField("Description", filters=[strip_text], validators=[Length(max=2000)])
    position = IntegerField("Position", default=0, validators=[Optional(), NumberRange(min=0, max=10_000)],
                            description="Lower numbers come first on the home page.")


class FaqForm(FlaskForm):
    question = TextAreaField("Question", filters=[strip_text], validators=[DataRequired("Type the question."), Length(max=500)])
    answer_md = TextAreaField("Answer (Markdown)", validators=[DataRequired("Type the answer."), Length(max=20_000)])
    topic = SelectField("Topic", choices=TOPIC_CHOICES, validate_choice=True)
    section = SelectField("Section", choices=[], validate_choice=True)
    learn_more_article = SelectField("Learn more article", choices=[], validate_choice=True)
    learn_more_text = StringField("Learn more link text", filters=[strip_text], validators=[Length(max=300)])
    position = IntegerField("Position", default=0, validators=[Optional(), NumberRange(min=0, max=10_000)])
    status = SelectField("Status", choices=[choice("published", "Published"), choice("draft", "Draft")], validate_choice=True)
