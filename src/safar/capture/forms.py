"""Forms of the capture pages: the web upload, the review of one scan, and rejecting a scan."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safar.core.models import BorderPoint
from safar.crossings.forms import CARD_ORDER, CrossingForm

from .models import Scan
from .services import ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ACCEPTED_EXTENSIONS))})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


# How many files one web upload may carry: a day's scans of a small centre, as PDFs or images.
MAX_FILES = 100


def upload_help() -> str:
    """The upload field's help in the active language (a lazy string's % would fix the
    language at import)."""
    return gettext(
        "PNG, JPEG, TIFF or PDF (a PDF or TIFF may hold many pages); up to %(mb)d MB per file."
    ) % {"mb": MAX_UPLOAD_BYTES // 2**20}


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Scanned cards"), help_text=lazy(upload_help, str)())

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(count)d files at once."), params={"count": MAX_FILES}
            )
        return files


# Reasons an operator often gives; the input takes any text.
COMMON_REJECT_REASONS = (
    _("Not a migration card"),
    _("Illegible: asked the centre to scan it again"),
    _("Duplicate of a card already entered"),
    _("Blank page"),
)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.update({"autocomplete": "off", "list": "reject-reasons"})


class HandOverForm(forms.Form):
    """Hand a card of another centre's border point over to that centre's review queue."""

    prefix = "hand_over"  # its inputs must not share ids with the card's and the rejection's
    border_point = forms.ModelChoiceField(
        BorderPoint.objects.select_related("centre").order_by("centre__code", "code"),
        label=_("Border point on the card"),
    )
    reason = forms.CharField(label=_("Reason for handing over"), max_length=300)

    def __init__(self, *args, scan: Scan, **kwargs):
        point = (scan.reading or {}).get("values", {}).get("border_point")
        kwargs.setdefault("initial", {"border_point": point})
        super().__init__(*args, **kwargs)
        own = scan.queue_centre
        self.fields["border_point"].queryset = self.fields["border_point"].queryset.exclude(
            centre=own
        )
        self.fields["border_point"].label_from_instance = lambda p: f"{p.code} · {p.centre}"
        # Out of the Tab order, like the reject button: Tab walks the card's doubtful fields.
        self.fields["reason"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["border_point"].widget.attrs["tabindex"] = "-1"

    @property
    def suggested(self) -> bool:
        """The reader's border point is another centre's: the hand-over is the likely action."""
        point = self.initial.get("border_point")
        return bool(point) and self.fields["border_point"].queryset.filter(pk=point).exists()


# Tab order of the review form: the doubtful fields first, then the confident ones (still
# reachable from the keyboard), then the Accept button (review.html), before the rest of the page.
TAB_DOUBTFUL, TAB_CONFIDENT = "1", "2"


class ReviewForm(CrossingForm):
    """The card form, prefilled with the reader's values; the doubtful fields come first in the
    Tab order, the confident ones after them."""

    def __init__(self, *args, scan: Scan, **kwargs):
        self.scan = scan
        reading = scan.reading or {}
        kwargs.setdefault(
            "initial",
            {
                name: value
                for name, value in reading.get("values", {}).items()
                if name in CARD_ORDER
            },
        )
        super().__init__(*args, **kwargs)
        self.doubtful = doubtful_fields(scan)
        self._mark_doubtful()

    def _mark_doubtful(self) -> None:
        """Doubtful fields first in the Tab order (the first focused), the others after them."""
        for name in CARD_ORDER:
            attrs = self.fields[name].widget.attrs
            attrs.pop("autofocus", None)
            classes = set(attrs.get("class", "").split()) - {"doubtful"}
            if name in self.doubtful:
                attrs["tabindex"] = TAB_DOUBTFUL
                classes.add("doubtful")
            else:
                attrs["tabindex"] = TAB_CONFIDENT
            attrs["class"] = " ".join(sorted(classes))
        first = next((name for name in CARD_ORDER if name in self.doubtful), None)
        if first is not None:
            self.fields[first].widget.attrs["autofocus"] = True
        self.focus_first_error()  # a wrong field before a doubtful one takes the focus

    def put_errors_in_tab_order(self) -> None:
        """A field with an error needs the operator too, however sure the reader was."""
        erring = [name for name in CARD_ORDER if name in self.errors]
        if erring:
            self.doubtful = [name for name in CARD_ORDER if name in self.doubtful or name in erring]
            self._mark_doubtful()

    def rows(self) -> list[tuple]:
        """(bound field, doubtful?, names of the reader's fields whose crops show it), in the
        card's order."""
        crops: dict[str, list[str]] = {}
        for name, field in (self.scan.reading or {}).get("fields", {}).items():
            if field.get("target") and field.get("crop"):
                crops.setdefault(field["target"], []).append(name)
        return [(self[name], name in self.doubtful, crops.get(name, [])) for name in CARD_ORDER]


def doubtful_fields(scan: Scan) -> list[str]:
    """The crossing fields an operator must look at: the reader's doubtful ones, or all of them
    when the card could not be read at all; on a conflict or refusal, the fields named."""
    reading = scan.reading or {}
    if not reading.get("aligned"):
        return list(CARD_ORDER)
    doubtful = set(reading.get("doubtful", []))
    if scan.review_reason == Scan.ReviewReason.CONFLICT:
        doubtful.add("card_number")
    if scan.review_reason == Scan.ReviewReason.REFUSED and scan.problem.startswith("refused:"):
        doubtful.update(name.strip() for name in scan.problem[9:].split(","))
    # A card in review with no field named (a rule across fields failed): check them all.
    return [name for name in CARD_ORDER if name in doubtful] or list(CARD_ORDER)
