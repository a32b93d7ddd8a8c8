"""{% load money %} … {{ profile.payroll_usd|usd }} renders "$9,500,000"."""

from django import template

from members.eligibility import money_format

register = template.Library()


@register.filter
def usd(value) -> str:
    """A whole or decimal amount of US dollars with separators; empty stays empty."""
    if value is None or value == "":
        return ""
    return money_format(value)
