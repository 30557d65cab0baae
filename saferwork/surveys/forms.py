from __future__ import annotations

from typing import Any

from django import forms

from saferwork.core.widgets import GovukDateField
from saferwork.surveys.models import MIN_THRESHOLD, Kind, Question, QuestionItem, Section, Survey


class SurveySettingsForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    wave = forms.CharField(
        label="Wave",
        max_length=60,
        help_text="For example “Spring 2026”. Answers keep no time finer than this.",
    )
    introduction = forms.CharField(label="Introduction for respondents", required=False, widget=forms.Textarea)
    opens_on = GovukDateField(label="Opening date", required=False)
    closes_on = GovukDateField(label="Closing date", required=False)
    score_threshold = forms.IntegerField(
        label="Smallest group whose results are shown",
        min_value=MIN_THRESHOLD,
        max_value=100,
        initial=10,
        help_text=f"Never below {MIN_THRESHOLD}. Fixed at launch and printed on the survey's first page.",
    )
    comment_threshold = forms.IntegerField(
        label="Smallest group whose comments are shown",
        min_value=MIN_THRESHOLD,
        max_value=100,
        initial=10,
        help_text="Fixed at launch and printed on the survey's first page.",
    )

    def __init__(self, *args: Any, survey: Survey | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        if survey is not None:
            # The wave before this one: results compare the items both asked, by code.
            self.fields["previous"] = forms.ModelChoiceField(
                label="Previous wave of this survey",
                required=False,
                empty_label="None: this is the first wave",
                queryset=Survey.objects.filter(organisation_id=survey.organisation_id).exclude(pk=survey.pk),
                help_text="Results show each question that both waves asked beside its answers last time.",
            )
        if survey is not None and survey.thresholds_locked:
            for name in Survey.LOCKED_AT_LAUNCH:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed at launch: it cannot change."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date.")
        return data


class DepartmentForm(forms.Form):
    name = forms.CharField(label="Department name", max_length=120)


class SectionForm(forms.Form):
    title = forms.CharField(label="Page title", max_length=200)


class AddQuestionForm(forms.Form):
    item = forms.ModelChoiceField(
        label="Question", queryset=QuestionItem.objects.none(), empty_label="Choose a question"
    )
    section = forms.ModelChoiceField(label="Page", queryset=Section.objects.none(), empty_label=None)

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        used = survey.questions.values_list("item_id", flat=True)
        items = QuestionItem.objects.filter(organisation__in=[survey.organisation_id]).exclude(pk__in=used)
        bank = QuestionItem.objects.filter(organisation__isnull=True).exclude(pk__in=used)
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.ModelChoiceField)
        item_field.queryset = (items | bank).order_by("topic", "code")
        item_field.label_from_instance = lambda item: f"{item.code}: {item.text}"  # type: ignore[method-assign,assignment]
        section_field = self.fields["section"]
        assert isinstance(section_field, forms.ModelChoiceField)
        section_field.queryset = survey.sections.all()


class ConditionForm(forms.Form):
    """Which earlier answer shows a question. Chosen in two steps, so it works without JavaScript."""

    show_if = forms.ModelChoiceField(
        label="Show this question only when this earlier question",
        queryset=Question.objects.none(),
        required=False,
        empty_label="Always show it",
    )
    show_if_values = forms.MultipleChoiceField(
        label="is answered with", required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )

    def __init__(self, *args: Any, question: Question, depends_on: Question | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        earlier = (
            question.survey.questions.filter(section__position__lt=question.section.position)
            .exclude(item__kind=Kind.TEXT)
            .select_related("item")
        )
        show_if = self.fields["show_if"]
        assert isinstance(show_if, forms.ModelChoiceField)
        show_if.queryset = earlier
        show_if.label_from_instance = lambda q: f"{q.item.code}: {q.item.text}"  # type: ignore[method-assign,assignment]
        self.depends_on = depends_on
        if depends_on is not None:
            values = self.fields["show_if_values"]
            assert isinstance(values, forms.MultipleChoiceField)
            values.choices = [(str(v), label) for v, label in depends_on.item.choices()]


class ItemForm(forms.Form):
    code = forms.SlugField(
        label="Code",
        max_length=40,
        help_text="Letters, numbers and hyphens, for example OWN-CANTEEN. Keep it the same in every wave.",
    )
    topic = forms.ChoiceField(label="Topic", choices=QuestionItem.Topic.choices)
    kind = forms.ChoiceField(label="Type of answer", choices=Kind.choices, widget=forms.RadioSelect)
    text = forms.CharField(label="Question", max_length=400)
    hint = forms.CharField(label="Hint", max_length=400, required=False)
    options = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line. Needed for single and multiple choice; for a 5-point scale, five labels or none.",
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).upper()

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]


class StaffListForm(forms.Form):
    staff_list = forms.FileField(
        label="Staff list",
        help_text="A CSV or Excel (.xlsx) file with a first line naming the columns email and department.",
    )

    def clean_staff_list(self) -> Any:
        upload = self.cleaned_data["staff_list"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The staff list must be a CSV or an Excel (.xlsx) file.")
        return upload


class ResumeForm(forms.Form):
    code = forms.CharField(label="Your resume code", max_length=40, help_text="For example ABCD-EFGH-JKLM-NPQR.")


class PageForm(forms.Form):
    """One page of a survey, built from its questions. Every question may be left blank."""

    def __init__(self, *args: Any, questions: list[Question], initial_answers: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            item = question.item
            choices = [(str(v), label) for v, label in item.choices()]
            initial = initial_answers.get(str(question.pk))
            field: forms.Field
            if item.kind == Kind.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
            elif item.kind == Kind.MULTIPLE:
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
                initial = [str(v) for v in initial or []]
            else:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
                initial = str(initial) if initial is not None else None
            field.required = False
            field.label = item.text
            field.help_text = item.hint
            field.initial = initial
            self.fields[str(question.pk)] = field

    def answers(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items()}
