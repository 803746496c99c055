"""Forms of the portal: the person's own measurements (輸入生理量測值)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from healthbank.people.models import Person
from healthbank.records.measures import MEASURE, MEASURES, Measure
from healthbank.records.models import Measurement

Kind = Measurement.Kind

# A phone's clock a little ahead of the server's is not the future.
CLOCK_SKEW = dt.timedelta(minutes=2)


def _field(measure: Measure) -> forms.Field:
    attrs = {
        "min": measure.low,
        "max": measure.high,
        "step": "1" if measure.whole else "0.1",
        "inputmode": "numeric" if measure.whole else "decimal",
    }
    label = f"{measure.label} ({measure.unit})"
    if measure.whole:
        return forms.IntegerField(
            label=label, required=False, widget=forms.NumberInput(attrs=attrs)
        )
    return forms.DecimalField(label=label, required=False, widget=forms.NumberInput(attrs=attrs))


class MeasurementForm(forms.Form):
    """Any of the seven measurements taken at one time; at least one, each in its range."""

    measured_at = forms.DateTimeField(
        label=_("Date and time measured"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, person: Person, **kwargs) -> None:
        self.person = person
        kwargs.setdefault(
            "initial", {"measured_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["measured_at"].widget.attrs["max"] = f"{now:%Y-%m-%dT%H:%M}"
        for measure in MEASURES:
            self.fields[measure.kind] = _field(measure)

    def clean_measured_at(self) -> dt.datetime:
        when = self.cleaned_data["measured_at"]
        if when > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError(
                _("The time measured cannot be in the future."), code="future"
            )
        if timezone.localtime(when).date() < self.person.birth_date:
            raise forms.ValidationError(
                _("The time measured cannot be before the date of birth."), code="before_birth"
            )
        return when

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        for measure in MEASURES:
            value = cleaned.get(measure.kind)
            if value is None:
                continue
            if not measure.low <= value <= measure.high:
                self.add_error(
                    measure.kind,
                    forms.ValidationError(
                        _("%(label)s must be between %(low)s and %(high)s %(unit)s."),
                        code="out_of_range",
                        params={
                            "label": measure.label,
                            "low": measure.low,
                            "high": measure.high,
                            "unit": measure.unit,
                        },
                    ),
                )
            else:
                cleaned[measure.kind] = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)

        systolic, diastolic = cleaned.get(Kind.SYSTOLIC), cleaned.get(Kind.DIASTOLIC)
        entered = {name: self.data.get(self.add_prefix(name), "").strip() for name in MEASURE}
        if bool(entered[Kind.SYSTOLIC]) != bool(entered[Kind.DIASTOLIC]):
            missing = Kind.DIASTOLIC if entered[Kind.SYSTOLIC] else Kind.SYSTOLIC
            self.add_error(
                missing,
                forms.ValidationError(
                    _("Enter both systolic and diastolic pressure, or neither."),
                    code="pressure_pair",
                ),
            )
        elif (
            Kind.SYSTOLIC not in self.errors
            and Kind.DIASTOLIC not in self.errors
            and systolic is not None
            and diastolic is not None
            and systolic <= diastolic
        ):
            self.add_error(
                Kind.SYSTOLIC,
                forms.ValidationError(
                    _("Systolic pressure must be higher than diastolic pressure."),
                    code="pressure_order",
                ),
            )
        if not any(entered.values()):
            raise forms.ValidationError(_("Enter at least one measurement."), code="empty")
        return cleaned

    @property
    def values(self) -> dict[str, Decimal]:
        """The measurements entered, by kind, for records.services.add_measurements."""
        return {
            kind: self.cleaned_data[kind]
            for kind in MEASURE
            if self.cleaned_data.get(kind) is not None
        }
