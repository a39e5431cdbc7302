"""The only tags and filters a letter template may use.

Letter templates run on an engine whose builtins are this library alone, so `{% include %}`,
`{% load %}`, `{% debug %}`, `{% autoescape off %}`, `|safe` and the like are syntax errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template import Library, defaultfilters, defaulttags

from .formatting import date_in_words

register = Library()

ALLOWED_TAGS = ("if", "for", "with", "firstof", "comment")
ALLOWED_FILTERS = (
    "add", "capfirst", "center", "cut", "default", "default_if_none", "divisibleby", "escape", "first",
    "floatformat", "force_escape", "join", "last", "length", "ljust", "lower", "pluralize", "rjust",
    "slice", "stringformat", "title", "truncatechars", "truncatewords", "upper", "wordcount", "yesno",
)  # fmt: skip

for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in ALLOWED_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]


@register.filter(is_safe=False)
def tanggal(value: Any) -> str:
    """A date (or an ISO date string from a form) in Indonesian words: 27 November 2026."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return str(value)
    if isinstance(value, dt.date):
        return date_in_words(value)
    return "" if value is None else str(value)
