"""JSON in, refused cleanly when it is nested too deeply to parse (Python's parser gives up with a RecursionError,
which would otherwise be a 500).

Used by the charter and brokers API views; it belongs in `config` as the default parser of the whole API (the lead
may move it there and delete this module)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None


JSON_PARSERS = [BoundedJSONParser]
