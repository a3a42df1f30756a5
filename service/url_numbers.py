"""Integers in URLs are bounded: a number no row can have is a 404 (path) or a 400 (API query).

Werkzeug's `<int:...>` takes any number of digits; 99999999999999999999 then reached the
database, which cannot even compare it with an id (an integer out of range on PostgreSQL,
an overflow in SQLite's driver): a 500 (issue 17 V4). Replacing the `int` converter app-wide
bounds every path integer, of every blueprint, at once; query integers are bounded where they
are read (`api_support.int_arg`, the page numbers of pages and the desk).
"""
from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

# Ids are PostgreSQL `integer` columns; nothing the service numbers gets near this.
MAX_PATH_INT = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that answers 404 for a number past MAX_PATH_INT, whatever the method."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_PATH_INT:
            # NotFound, not Werkzeug's ValidationError: after a failed conversion its matcher
            # answers 405 naming a sibling rule's methods (PUT /faqs/<huge>: "Allow: GET").
            raise NotFound()
        return number


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: rules are compiled with the converter present then."""
    app.url_map.converters["int"] = BoundedIntegerConverter
