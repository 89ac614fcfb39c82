"""What each app holds about a person, and how to copy it out or anonymise it: filled by the apps (in their
AppConfig.ready), read by the export and erasure services here, so that accounts imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Holding:
    """One kind of record about a person. `export(person)` answers plain JSON; `erase(person, pseudonym)` removes or
    anonymises it and answers what it kept and why (one sentence each)."""

    key: str
    export: Callable[[Any], Any]
    erase: Callable[[Any, str], list[str]] | None = None


_holdings: dict[str, Holding] = {}


def register(key: str, *, export: Callable[[Any], Any], erase: Callable[[Any, str], list[str]] | None = None) -> None:
    _holdings[key] = Holding(key, export, erase)


def holdings() -> list[Holding]:
    return list(_holdings.values())


@dataclass(frozen=True)
class Retention:
    """How long one kind of record is kept (`days`, from settings.RETENTION_DAYS, with the reason beside it there)
    and how to remove what is past it: `remove(cutoff)` answers how many it removed, `due(cutoff)` how many would
    go now. Both are idempotent."""

    key: str
    label: str
    remove: Callable[[Any], int]
    due: Callable[[Any], int]


_retentions: dict[str, Retention] = {}


def register_retention(key: str, *, label: str, remove: Callable[[Any], int], due: Callable[[Any], int]) -> None:
    _retentions[key] = Retention(key, label, remove, due)


def retentions() -> list[Retention]:
    return list(_retentions.values())
