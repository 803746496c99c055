from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """NHIA master data: persons, households, insured units, enrolment, cards, premiums."""

    name = "healthbank.people"
    verbose_name = _("People and insurance")
