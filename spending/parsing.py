"""Reading statements: CSV (the contract's columns and the common UK bank layouts) and OFX (with ofxtools).

Pure functions over bytes: no database. A file that cannot be read at all raises `UnreadableStatement` with a plain
reason; a row that cannot be read becomes a `Rejected` (its data row number, 1 = the first row after the header,
and why) and never stops the rest. Amounts come out with money out positive and money in negative.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.utils import timezone

from spending.models import AMOUNT_LIMIT, StatementKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 15  # bank exports often put the account's name and number above the header
PENNY = Decimal("0.01")


class UnreadableStatement(Exception):
    """The file as a whole cannot be read as a statement; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Row:
    number: int
    date: date
    description: str
    amount: Decimal  # money out positive, money in negative
    payee: str = ""
    merchant_category_code: str = ""
    reference: str = ""
    fitid: str = ""

    @cached_property
    def dedupe_key(self) -> str:
        """The same payment in two files gives the same key: its FITID, or its date, amount, description and
        reference (whatever the case or spacing)."""
        if self.fitid:
            basis = f"fitid|{self.fitid}"
        else:
            basis = "|".join(
                ["row", self.date.isoformat(), f"{self.amount:.2f}", _folded(self.description), _folded(self.reference)]
            )
        return hashlib.sha256(basis.encode()).hexdigest()


@dataclass(frozen=True)
class Rejected:
    row: int
    reason: str

    def as_dict(self) -> dict[str, int | str]:
        return {"row": self.row, "reason": self.reason}


@dataclass
class Parsed:
    kind: str
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.rejected)


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text: str | None, limit: int) -> str:
    """One line of text PostgreSQL will store: no NUL or control characters, spaces collapsed, cut to fit."""
    text = text or ""
    if not text.isprintable():
        text = CONTROL.sub(" ", text)
    return " ".join(text.split())[:limit]


def parse_statement(content: bytes, *, file_name: str = "") -> Parsed:
    """Read a whole statement file, CSV or OFX (told apart by the name and by what the file starts with)."""
    if not content or not content.strip():
        raise UnreadableStatement("The file is empty.")
    if len(content) > MAX_BYTES:
        raise UnreadableStatement(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    if _looks_binary(content):
        raise UnreadableStatement("This is not a CSV or OFX statement: it looks like a spreadsheet, PDF or picture.")
    parsed = _parse_ofx(content) if _is_ofx(content, file_name) else _parse_csv(_decode(content))
    if parsed.total > MAX_ROWS:
        raise UnreadableStatement(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")
    if parsed.total == 0:
        raise UnreadableStatement("The file has no payments in it.")
    return parsed


def _looks_binary(content: bytes) -> bool:
    sample = content[:8192]
    if b"\x00" in sample or sample.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        return True
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return control > len(sample) // 100


def _is_ofx(content: bytes, file_name: str) -> bool:
    if file_name.lower().endswith((".ofx", ".qfx")):
        return True
    start = content[:1024].lstrip().upper()
    return start.startswith(b"OFXHEADER") or (start.startswith(b"<?XML") and b"<OFX" in content[:4096].upper())


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252, which most UK banks' exports are."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableStatement(
            "The file's text is in an encoding we cannot read. Save it again as CSV (UTF-8) and upload that."
        ) from None


# --- CSV --------------------------------------------------------------------------------------------------------

# Each column we read, and the header spellings of the common UK layouts (after lower-casing, with anything that
# is not a letter or digit turned into "_": "Money Out (£)" is "money_out").
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "transaction_date", "posted_date", "posting_date", "date_posted", "value_date", "txn_date"),
    "description": (
        "description",
        "transaction_description",
        "details",
        "narrative",
        "transaction_details",
        "memo",
    ),
    "amount": ("amount", "value", "transaction_amount", "amount_gbp", "net_amount"),
    "money_out": ("money_out", "paid_out", "debit", "debit_amount", "withdrawals", "withdrawal", "out", "spent"),
    "money_in": ("money_in", "paid_in", "credit", "credit_amount", "deposits", "deposit", "in", "received"),
    "merchant_category_code": ("merchant_category_code", "mcc", "merchant_category", "mcc_code", "sic"),
    "payee": ("payee", "merchant", "merchant_name", "name", "counterparty", "paid_to"),
    "reference": ("reference", "ref", "transaction_reference", "transaction_id", "reference_number"),
}


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _columns_of(header: list[str]) -> dict[str, int]:
    keys = [_header_key(cell) for cell in header]
    found: dict[str, int] = {}
    for column, spellings in COLUMNS.items():
        for spelling in spellings:
            if spelling in keys:
                found[column] = keys.index(spelling)
                break
    return found


def _has_what_we_need(columns: dict[str, int]) -> bool:
    has_amount = "amount" in columns or "money_out" in columns or "money_in" in columns
    return "date" in columns and "description" in columns and has_amount


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    try:
        yield from reader
    except csv.Error as error:
        raise UnreadableStatement(f"The file is not a CSV file we can read ({error}).") from None


def _parse_csv(text: str) -> Parsed:
    records = _records(text)
    columns: dict[str, int] = {}
    for _ in range(HEADER_SEARCH_ROWS):
        header = next(records, None)
        if header is None:
            break
        columns = _columns_of(header)
        if _has_what_we_need(columns):
            break
    if not _has_what_we_need(columns):
        raise UnreadableStatement(
            "We could not find the header row. The first row must name the columns: at least date, description, "
            "and either amount or money out and money in."
        )
    parsed = Parsed(kind=StatementKind.CSV)
    for number, record in enumerate(records, start=1):
        if not any(cell.strip() for cell in record):
            continue  # a blank line is not a row
        try:
            parsed.rows.append(_csv_row(number, record, columns))
        except RowError as error:
            parsed.rejected.append(Rejected(number, error.reason))
        if parsed.total > MAX_ROWS:
            break
    return parsed


class RowError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _cell(record: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return record[index].strip() if index is not None and index < len(record) else ""


def _csv_row(number: int, record: list[str], columns: dict[str, int]) -> Row:
    description = _clean(_cell(record, columns, "description"), 255)
    payee = _clean(_cell(record, columns, "payee"), 200)
    if not description and not payee:
        raise RowError("It has no description.")
    return Row(
        number=number,
        date=parse_date(_cell(record, columns, "date")),
        description=description or payee,
        amount=_csv_amount(record, columns),
        payee=payee,
        merchant_category_code=_mcc(_cell(record, columns, "merchant_category_code")),
        reference=_clean(_cell(record, columns, "reference"), 100),
    )


def _csv_amount(record: list[str], columns: dict[str, int]) -> Decimal:
    if "amount" in columns:
        value = _cell(record, columns, "amount")
        if not value:
            raise RowError("It has no amount.")
        return _bounded(-parse_money(value))  # in the file, negative is money out
    money_out, money_in = _cell(record, columns, "money_out"), _cell(record, columns, "money_in")
    # Some banks write a debit as "-12.00" in its own column: the column says which way the money went.
    out = abs(parse_money(money_out)) if money_out else Decimal("0.00")
    into = abs(parse_money(money_in)) if money_in else Decimal("0.00")
    if not money_out and not money_in:
        raise RowError("It has no amount in money out or money in.")
    if out and into:
        raise RowError("It has amounts in both money out and money in.")
    return _bounded(out - into)


ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
UK_DATE = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$")


def parse_date(text: str) -> date:
    """`YYYY-MM-DD` or `DD/MM/YYYY` (a time after it is ignored)."""
    value = re.split(r"[ T]", text.strip(), maxsplit=1)[0]
    if not value:
        raise RowError("It has no date.")
    found = ISO_DATE.match(value) or UK_DATE.match(value)
    try:
        day = date(int(found["year"]), int(found["month"]), int(found["day"])) if found else None
    except ValueError:
        day = None
    if day is None:
        raise RowError(f"The date “{value}” is not a date. Use YYYY-MM-DD or DD/MM/YYYY.")
    if not 2000 <= day.year <= 2100:
        raise RowError(f"The date “{value}” is not a real date for a statement.")
    return day


MONEY = re.compile(r"^(?P<sign>[-+]?)(?P<number>\d+(?:\.\d{1,2})?|\.\d{1,2})(?P<trail>-|CR|DR)?$")


def parse_money(text: str) -> Decimal:
    """12.50, -12.50, £1,234.50, (12.50), 12.50- and 12.50 DR all read; anything else is a RowError."""
    value = re.sub(r"[\s£,]|GBP", "", text.strip().upper())
    negative = value.startswith("(") and value.endswith(")")
    value = value.strip("()")
    match = MONEY.match(value)
    if match is None:
        raise RowError(f"The amount “{text.strip()}” is not an amount of money.")
    try:
        amount = Decimal(match["number"])
    except InvalidOperation:
        raise RowError(f"The amount “{text.strip()}” is not an amount of money.") from None
    if match["sign"] == "-" or match["trail"] in ("-", "DR") or negative:
        amount = -amount
    return amount.quantize(PENNY)


def _bounded(amount: Decimal) -> Decimal:
    if abs(amount) > AMOUNT_LIMIT:
        raise RowError("The amount is too large to be a payment.")
    return amount


def _mcc(text: str) -> str:
    """A merchant category code is four digits ("742" is 0742); anything else is left out."""
    text = text.strip()
    if text.endswith(".0"):  # a spreadsheet that turned the code into a number
        text = text[:-2]
    return text.zfill(4) if text.isdigit() and len(text) <= 4 else ""


# --- OFX --------------------------------------------------------------------------------------------------------

OFX_FIELD = re.compile(r"STMTTRN\.(?P<field>\w+) to (?P<value>.*?):")


def _parse_ofx(content: bytes) -> Parsed:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree.parse(io.BytesIO(content))
    except (SyntaxError, ValueError, UnicodeError, LookupError, IndexError):
        raise UnreadableStatement("This is not an OFX statement we can read: its header or tags are broken.") from None
    root = tree.getroot()
    if root is None:
        raise UnreadableStatement("This is not an OFX statement we can read: it has no OFX tags.")
    parsed = Parsed(kind=StatementKind.OFX)
    for number, element in enumerate(root.iter("STMTTRN"), start=1):
        try:
            parsed.rows.append(_ofx_row(number, element))
        except RowError as error:
            parsed.rejected.append(Rejected(number, error.reason))
        if parsed.total > MAX_ROWS:
            break
    return parsed


def _ofx_row(number: int, element) -> Row:  # type: ignore[no-untyped-def]
    from ofxtools.models.base import Aggregate

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            transaction = Aggregate.from_etree(element)
    except Exception as error:  # ofxtools validates with ValueError, decimal and spec errors of its own
        raise RowError(_ofx_reason(error)) from None
    name = _clean(transaction.name or getattr(transaction.payee, "name", "") or "", 200)
    memo = _clean(transaction.memo, 255)
    description = _clean(" ".join(part for part in (name, memo) if part), 255)
    if not description:
        raise RowError("It has no NAME or MEMO.")
    return Row(
        number=number,
        date=timezone.localdate(transaction.dtposted),
        description=description,
        amount=_bounded(-Decimal(transaction.trnamt).quantize(PENNY)),
        payee=name,
        merchant_category_code=_mcc(str(transaction.sic) if transaction.sic is not None else ""),
        reference=_clean(transaction.refnum or transaction.checknum, 100),
        fitid=_clean(transaction.fitid, 255),
    )


def _ofx_reason(error: Exception) -> str:
    found = OFX_FIELD.search(str(error))
    if found is None:
        return "This transaction could not be read: its tags are missing, out of order or not valid OFX."
    tag, value = found["field"].upper(), found["value"]
    if value == "None":
        return f"It has no {tag}."
    return f"Its {tag} “{value[:40]}” could not be read."
