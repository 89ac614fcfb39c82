"""Reading real-looking statements: a Kent Card CSV, a bank's CSV with UK dates and paid out / paid in columns,
an OFX file; the rows they hold, the rows that cannot be read (with their row number and why), and whole files
that are refused with a plain reason."""

import datetime
from decimal import Decimal

import pytest

from spending.parsing import MAX_BYTES, RowError, UnreadableStatement, parse_money, parse_statement
from tests.spending.conftest import read


def test_a_kent_card_csv_reads_every_readable_row_and_reports_the_rest():
    parsed = parse_statement(read("kent_card.csv"), file_name="kent_card.csv")

    assert parsed.kind == "csv"
    assert parsed.total == 14  # the blank line is not a row
    assert len(parsed.rows) == 12
    assert [(r.row, r.reason) for r in parsed.rejected] == [
        (13, "The date “31/02/2026” is not a date. Use YYYY-MM-DD or DD/MM/YYYY."),
        (14, "The amount “twelve pounds” is not an amount of money."),
    ]
    first = parsed.rows[0]
    assert first.number == 1
    assert first.date == datetime.date(2026, 1, 6)
    assert first.amount == Decimal("8.50")  # money out is positive
    assert first.payee == "Thanet Arts Hub"
    assert first.description == "CARD PAYMENT THANET ARTS HUB MARGATE"
    assert first.merchant_category_code == "8299"
    assert first.reference == "KC260106001"
    refund = next(r for r in parsed.rows if r.description.startswith("REFUND"))
    assert refund.amount == Decimal("-6.00")  # money in is negative
    assert parsed.rows[10].date == datetime.date(2026, 2, 3)  # an ISO date among UK ones
    assert parsed.rows[-1].number == 15


def test_a_bank_csv_with_account_details_above_paid_out_and_paid_in_columns_in_windows_1252():
    content = read("bank_paid_in_out.csv")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # the pound sign is one Windows-1252 byte

    parsed = parse_statement(content, file_name="statement.csv")

    assert parsed.total == 9
    assert [(r.row, r.reason) for r in parsed.rejected] == [(5, "It has no amount in money out or money in.")]
    amounts = [(r.date.isoformat(), r.description, r.amount) for r in parsed.rows]
    assert amounts[0] == ("2026-03-02", "MEDWAY COMMUNITY SPORT TRUST", Decimal("22.00"))
    assert ("2026-03-19", "KENT WELLBEING COLLECTIVE", Decimal("6.00")) in amounts
    assert ("2026-03-20", "MEDWAY COMMUNITY SPORT TRUST", Decimal("-22.00")) in amounts  # paid in: a refund
    assert ("2026-03-23", "LINK ATM CHATHAM HIGH ST", Decimal("20.00")) in amounts


def test_an_ofx_statement_reads_its_transactions_with_fitid_and_merchant_code():
    parsed = parse_statement(read("statement.ofx"), file_name="March.ofx")

    assert parsed.kind == "ofx"
    assert parsed.total == 6
    assert [r.row for r in parsed.rejected] == [2, 6]
    assert "DTPOSTED" in parsed.rejected[0].reason
    assert parsed.rejected[1].reason == "It has no TRNAMT."
    gym, _yoga, bet, refund = parsed.rows
    assert (gym.date, gym.amount, gym.payee, gym.merchant_category_code, gym.fitid) == (
        datetime.date(2026, 3, 2),
        Decimal("22.00"),
        "MEDWAY COMMUNITY SPORT",
        "7997",
        "20260302-0001",
    )
    assert gym.description == "MEDWAY COMMUNITY SPORT CARD 1234 GYM"
    assert bet.merchant_category_code == "7995"
    assert refund.amount == Decimal("-6.00")


def test_the_same_payment_has_the_same_key_whatever_the_spacing_or_case_and_ofx_keys_on_fitid():
    one = parse_statement(b"date,description,amount,reference\n2026-01-06,Thanet Arts Hub,-8.50,KC1\n").rows[0]
    two = parse_statement(b"Date,Description,Amount,Reference\n06/01/2026,THANET  ARTS HUB ,-8.5,kc1\n").rows[0]
    other = parse_statement(b"date,description,amount,reference\n2026-01-06,Thanet Arts Hub,-8.50,KC2\n").rows[0]
    assert one.dedupe_key == two.dedupe_key
    assert one.dedupe_key != other.dedupe_key
    ofx = parse_statement(read("statement.ofx")).rows
    assert len({row.dedupe_key for row in ofx}) == len(ofx)


def test_money_out_and_money_in_headers_in_the_usual_spellings():
    content = b"Posted Date,Details,Debit,Credit,MCC,Payee\n01/03/2026,Art class,12.00,,8299,Thanet Arts Hub\n"
    content += b"02/03/2026,Top up,,250.00,,Kent County Council\n"
    rows = parse_statement(content).rows
    assert [(r.amount, r.merchant_category_code, r.payee) for r in rows] == [
        (Decimal("12.00"), "8299", "Thanet Arts Hub"),
        (Decimal("-250.00"), "", "Kent County Council"),
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.50", "12.50"),
        ("-12.50", "-12.50"),
        ("£1,234.50", "1234.50"),
        ("-£3.20", "-3.20"),
        ("(12.50)", "-12.50"),
        ("12.50-", "-12.50"),
        ("12.50 DR", "-12.50"),
        ("12.50CR", "12.50"),
        ("7", "7.00"),
        (".5", "0.50"),
    ],
)
def test_amounts_in_the_forms_banks_write_them(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["twelve", "12.345", "1.2.3", "", "£", "12,50 EUR"])
def test_what_is_not_an_amount_is_a_row_error(text):
    with pytest.raises(RowError):
        parse_money(text)


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "a.csv", "The file is empty."),
        (b"   \n\n", "a.csv", "The file is empty."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "a.pdf", "it looks like a spreadsheet, PDF or picture"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a.xlsx", "it looks like a spreadsheet, PDF or picture"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.png", "it looks like a spreadsheet, PDF or picture"),
        (b"Dear Sir,\nPlease find my statement.\n", "letter.txt", "We could not find the header row"),
        (b"06/01/2026,Thanet Arts Hub,-8.50\n07/01/2026,Tesco,-3.00\n", "noheader.csv", "header row"),
        (b"date,description,amount\n", "a.csv", "The file has no payments in it."),
        (b"OFXHEADER:100\nthis is not ofx", "a.ofx", "This is not an OFX statement we can read"),
        (b"<html><body>Login</body></html>", "a.ofx", "This is not an OFX statement we can read"),
        (b"date,description,amount\n\x81\x8d\x8f\x90,x,1\n", "a.csv", "encoding we cannot read"),
    ],
)
def test_files_that_are_not_statements_are_refused_with_a_plain_reason(content, name, reason):
    with pytest.raises(UnreadableStatement) as refused:
        parse_statement(content, file_name=name)
    assert reason in refused.value.reason


def test_a_file_over_the_size_limit_is_refused():
    content = b"date,description,amount\n" + b"2026-01-06,Thanet Arts Hub,-8.50\n" * (MAX_BYTES // 30)
    with pytest.raises(UnreadableStatement, match="larger than 5 MB"):
        parse_statement(content)


def test_text_is_cleaned_so_the_database_can_store_it():
    content = b'date,description,amount,payee\n2026-01-06,"Art\tclass\r\nweekly",-8.50,' + b"x" * 300 + b"\n"
    row = parse_statement(content).rows[0]
    assert row.description == "Art class weekly"
    assert len(row.payee) == 200
