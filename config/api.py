"""The API's conventions in one place: pagination, routes with and without a slash, and business errors mapped to
status codes (the errors themselves live in `config.errors`, which knows nothing of HTTP)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from config.errors import Conflict, InvalidTransition, NotAllowed, NotFound, SecondFactorRequired, ServiceError

__all__ = [
    "Conflict",
    "InvalidTransition",
    "NotAllowed",
    "NotFound",
    "PageNumberPagination",
    "Router",
    "SecondFactorRequired",
    "ServiceError",
    "exception_handler",
]


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N` (a page past the end is a 404, as in DRF) and `?page_size=` (a whole number from 1; more than 100
    gives 100). A `page_size` that is no such number is invalid input (400), never silently ignored."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Any) -> int:
        sent = request.query_params.get(self.page_size_query_param)
        if sent is None:
            return self.page_size
        if not (sent.isascii() and sent.isdecimal()) or int(sent) < 1:
            raise exceptions.ValidationError({self.page_size_query_param: ["Enter a whole number from 1 to 100."]})
        return min(int(sent), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number (from 1); a page past the last one answers 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}); more than {self.max_page_size} gives "
                f"{self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error body carries `detail` and `code`, or `{field: [messages]}` for invalid input."""
    from rest_framework.views import exception_handler as drf_exception_handler  # DRF imports this module

    if isinstance(exc, ServiceError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(response.data, dict) and "detail" in response.data and "code" not in response.data:
        codes = exc.get_codes()
        response.data["code"] = codes if isinstance(codes, str) else exc.default_code
    elif isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response


def optional_slash(route: str, view: Any, name: str | None = None) -> list:
    """The contract's paths have no trailing slash, and the same path with one must also work (never a redirect)."""
    from django.urls import path

    route = route.rstrip("/")
    return [path(route, view, name=name) if name else path(route, view), path(route + "/", view)]


class Router(SimpleRouter):
    """A DRF router whose routes answer with and without a trailing slash."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"  # DRF's constructor turns any truthy value into "/"


def schema_without_slash_twins(endpoints: list) -> list:
    """drf-spectacular hook: document each path once, without the trailing slash the API also accepts."""
    seen, kept = set(), []
    for path, path_regex, method, callback in endpoints:
        path = path.replace("/?", "").rstrip("/") if path not in ("/api/v1/schema/", "/api/v1/docs/") else path
        if (path, method) not in seen:
            seen.add((path, method))
            kept.append((path, path_regex, method, callback))
    return kept


def not_found(request: Any, exception: Exception) -> Any:
    """404 for the whole site: JSON under /api/ (the contract's error body), the service's page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)


@csrf_exempt  # it changes nothing, and a path that names nothing is a 404 whatever the request carries
def api_not_found(request: Any, unmatched: str = "") -> Any:
    """Any other path under /api/: the JSON 404 even with DEBUG on (whose 404 page would be HTML). A path that only
    lacks its trailing slash (`/api/v1/schema`) is sent on to it, as Django's APPEND_SLASH would."""
    from django.http import HttpResponsePermanentRedirect
    from django.urls import Resolver404, resolve

    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return not_found(request, Http404())


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}  # the database's ids are 64-bit


def id_parameter(name: str, description: str = "") -> Any:
    """A query parameter naming a record by id: the filters answer 400 to anything but 1 to 2**63 - 1."""
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(name, ID_SCHEMA, description=description)


# Search words in a query parameter: Django's form fields refuse NUL characters, the filters over 200 characters.
SEARCH_WORDS = {"type": "string", "maxLength": 200, "pattern": r"^[^\x00]*$"}

ERROR_SCHEMA = {
    "type": "object",
    "description": '`{"detail", "code"}`, or `{"<field>": ["<message>", ...]}` for invalid input.',
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": "Invalid input: what is wrong, field by field.",
    "401": "Not signed in (or the session token expired).",
    "403": "You may not do this (including `mfa_required`).",
    "404": "No such object that you can see.",
    "409": "The object's state does not allow this.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
    "503": "Waymark is unavailable for a moment (its database is out of reach): try again after `Retry-After` seconds.",
}


RETRY_AFTER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 0}}


def schema_with_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: every operation documents the contract's error answers, one shared shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERROR_RESPONSES.items():
                answer = {"description": description, "content": {"application/json": {"schema": reference}}}
                if code in ("429", "503"):
                    answer["headers"] = {"Retry-After": RETRY_AFTER}
                operation["responses"].setdefault(code, answer)
    return result


# --- Request bodies are JSON, and JSON says what type each value is ---------------------------------------------------
# DRF's fields coerce: a boolean takes 0 or "yes", a string takes 5, a number takes "5", an amount takes " 5e2".
# The schema promises types, so request serializers (`StrictJSON`) refuse what the schema does not describe (400), and
# the schema of an amount is the very pattern that checks it: the documentation and the check cannot drift apart.


def _whole_numbers_up_to(largest: int) -> str:
    """A regular expression for the whole numbers 0 to `largest`, written without leading zeros."""
    digits = str(largest)
    parts = [r"\d"] if len(digits) > 1 else []
    parts += [rf"[1-9]\d{{{length - 1}}}" for length in range(2, len(digits))]
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 and len(digits) > 1 else 0
        rest = len(digits) - position - 1
        if int(digit) > lowest:
            parts.append(digits[:position] + f"[{lowest}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


def amount_pattern(field: Any) -> str | None:
    """The exact strings a writable, non-negative `DecimalField` accepts (None where it takes negative amounts)."""
    from decimal import Decimal

    places = field.decimal_places
    whole_digits = field.max_digits - places
    lowest, highest = field.min_value, field.max_value
    if lowest is None or lowest < 0 or places < 1:
        return None
    fraction = rf"(?:\.\d{{1,{places}}})?"
    if highest is not None and highest == int(highest) and int(highest) < 10**whole_digits:
        below = _whole_numbers_up_to(int(highest) - 1) if highest >= 1 else None
        at_most = f"{int(highest)}(?:\\.0{{1,{places}}})?"
        amount = f"{below}{fraction}|{at_most}" if below else at_most
    else:
        amount = rf"(?:0|[1-9]\d{{0,{whole_digits - 1}}}){fraction}"
    if lowest == 0:
        return f"^(?:{amount})$"
    if lowest == Decimal(1).scaleb(-places) and places == 2 and highest is None:
        positive = rf"[1-9]\d{{0,{whole_digits - 1}}}{fraction}|0\.(?:[1-9]\d?|0[1-9])"
        return f"^(?:{positive})$"
    return None


def json_type_problem(field: Any, value: Any) -> str | None:
    """What is wrong with the JSON type of `value` for `field`, or None (null is for the field itself to judge)."""
    import re

    from rest_framework import relations, serializers

    if value is None:
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, (serializers.ListField, serializers.ListSerializer, serializers.MultipleChoiceField)):
        if not isinstance(value, list):
            return "Must be a list."
        child = getattr(field, "child", None)
        if isinstance(field, serializers.ListField) and child is not None:
            return next((problem for item in value if (problem := json_type_problem(child, item))), None)
        return None
    if isinstance(field, (serializers.DictField, serializers.Serializer)):
        return None if isinstance(value, dict) else "Must be an object."
    if isinstance(field, serializers.DecimalField):
        pattern = amount_pattern(field)
        if not isinstance(value, str):
            return 'Must be a string, such as "12.50".'
        if pattern and not re.fullmatch(pattern, value):
            return "Enter an amount such as 12.50 (digits, at most two after the point), within the limits."
        return None
    if isinstance(field, (serializers.IntegerField, relations.PrimaryKeyRelatedField)):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Must be a whole number."
    if isinstance(field, relations.ManyRelatedField):
        return None if isinstance(value, list) else "Must be a list."
    if isinstance(field, serializers.FileField | serializers.JSONField | serializers.ReadOnlyField):
        return None
    if isinstance(field, serializers.Field) and not isinstance(field, serializers.SerializerMethodField):
        return None if isinstance(value, str) else "Must be a string."
    return None


class StrictJSON:
    """Mixin for request serializers: a JSON value of the wrong type is invalid input (400), never coerced."""

    def to_internal_value(self, data: Any) -> Any:
        if type(data) is dict:  # JSON; a form's QueryDict carries only strings
            fields = cast(Any, self).fields
            problems = {
                name: [problem]
                for name, field in fields.items()
                if not field.read_only and name in data and (problem := json_type_problem(field, data[name]))
            }
            if problems:
                raise exceptions.ValidationError(problems)
        return super().to_internal_value(data)  # type: ignore[misc]


def text_pattern(field: Any) -> str | None:
    """What a writable CharField accepts: no NUL character, and (unless it may be blank) more than spaces."""
    if field.allow_blank or not field.trim_whitespace:
        return r"^[^\x00]*$"
    return r"^[^\x00]*[^\x00\s][^\x00]*$"


# --- Text the services refuse -----------------------------------------------------------------------------------------
# Services refuse control characters in text (and line breaks on one-line fields). A request serializer names, in
# `schema_text_rules`, the characters its service refuses field by field (the inside of a character class, taken from
# the service's own rule), and the schema documents exactly the text that is left: `text_refusing` builds the pattern.

# What `str.strip()` and DRF's `trim_whitespace` remove: Python's whitespace, written out so that the pattern means the
# same in any regular-expression engine (`\s` differs between Python and JavaScript).
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"  # Unicode's category Cc
CONTROL_CHARACTERS_BUT_LINE_BREAKS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # keeps tab, line feed, carriage return


def text_refusing(refused: str, *, trimmed: bool, blank: bool) -> str:
    """The pattern of the texts with none of the characters `refused` (a character class's inside) and not only
    whitespace unless `blank`. With `trimmed`, the rule sees the text stripped: leading and trailing whitespace, control
    characters among it, goes first (DRF's `trim_whitespace`), so only what lies between is held to the rule."""
    allowed, solid, space = f"[^{refused}]", f"[^{refused}{WHITESPACE}]", f"[{WHITESPACE}]"
    if trimmed:
        text = f"{solid}(?:{allowed}*{solid})?"
        return f"^{space}*(?:{text}){'?' if blank else ''}{space}*$"
    return f"^(?:{allowed}*{solid}{allowed}*){'?' if blank else ''}$"


def _declared_text_pattern(field: Any) -> str | None:
    """The pattern a request serializer declares for this field (`schema_text_patterns`, or `schema_text_rules`)."""
    parent, name = getattr(field, "parent", None), getattr(field, "field_name", None)
    if parent is None or name is None:
        return None
    if name in getattr(parent, "schema_text_patterns", {}):
        return str(parent.schema_text_patterns[name])
    refused = getattr(parent, "schema_text_rules", {}).get(name)
    if refused is None:
        return None
    return text_refusing(refused, trimmed=field.trim_whitespace, blank=field.allow_blank)


def _register_schema_extensions() -> None:
    from drf_spectacular.extensions import OpenApiSerializerFieldExtension

    class AmountFieldSchema(OpenApiSerializerFieldExtension):
        """A writable amount is documented by the pattern that `StrictJSON` checks it with."""

        target_class = "rest_framework.fields.DecimalField"
        match_subclasses = True

        def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
            schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
            pattern = amount_pattern(self.target)
            if direction == "request" and pattern:
                schema.update({"type": "string", "format": "decimal", "pattern": pattern})
                schema.pop("maximum", None), schema.pop("minimum", None)
            return schema

    class TextFieldSchema(OpenApiSerializerFieldExtension):
        """A writable text is documented with what its service refuses in it (the serializer's `schema_text_rules`),
        or else with what DRF refuses: NUL characters, and only spaces."""

        target_class = "rest_framework.fields.CharField"
        match_subclasses = True

        def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
            schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
            declared = _declared_text_pattern(self.target) if direction == "request" else None
            if declared:
                schema["pattern"] = declared
            elif direction == "request" and "pattern" not in schema and schema.get("type") == "string":
                pattern = text_pattern(self.target)
                if pattern:
                    schema["pattern"] = pattern
            return schema

    class ListFieldSchema(OpenApiSerializerFieldExtension):
        """A list that may not be empty says so (`minItems`)."""

        target_class = "rest_framework.fields.ListField"
        match_subclasses = True

        def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
            schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
            if direction == "request" and not self.target.allow_empty:
                schema["minItems"] = max(1, schema.get("minItems", 0))
            return schema


_register_schema_extensions()
