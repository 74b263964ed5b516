"""Date parsing: the day-first policy an analyst relies on when dates are checked and sorted."""

from datetime import date

import pytest

from pipeline.dates import find_dates, parse_date

REF = date(2024, 6, 30)


@pytest.mark.parametrize(
    "text, iso, precision",
    [
        ("12/03/2024", "2024-03-12", "day"),  # day first: 12 March, never 3 December
        ("12.3.24", "2024-03-12", "day"),
        ("3rd March 2024", "2024-03-03", "day"),
        ("Monday 10th June 2024", "2024-06-10", "day"),
        ("March 2024", "2024-03", "month"),
        ("Mar-24", "2024-03", "month"),
        ("12-Mar-24", "2024-03-12", "day"),
        ("2024-03-12", "2024-03-12", "day"),
        ("w/c 4th March", "2024-03-04", "day"),
        ("10/6", "2024-06-10", "day"),
        ("Sept 2023", "2023-09", "month"),
        ("31st Jan", "2024-01-31", "day"),
        ("01/02/23", "2023-02-01", "day"),
        ("12th of May 2023", "2023-05-12", "day"),
        ("05/06/98", "1998-06-05", "day"),  # a date of birth, not 2098
    ],
)
def test_whole_string_dates_follow_the_british_policy(text, iso, precision):
    found = parse_date(text, reference=REF)
    assert found is not None, text
    assert (found.iso, found.precision, found.valid) == (iso, precision, True)


def test_yearless_dates_take_the_latest_year_not_after_the_reference():
    # 10 July has not happened yet by 30 June 2024, so it must be July 2023.
    assert parse_date("10/7", reference=REF).value == date(2023, 7, 10)
    assert parse_date("31st Jan", reference=date(2024, 1, 30)).value == date(2023, 1, 31)
    assert parse_date("29/2", reference=date(2023, 6, 1)).value == date(2020, 2, 29)
    assert parse_date("in March", reference=date(2024, 2, 1)) is None  # a bare month is not a whole date string
    [march] = find_dates("seen in March by the HV", reference=date(2024, 2, 1))
    assert march.value == date(2023, 3, 1) and march.precision == "month"


@pytest.mark.parametrize("text", ["31/02/2024", "30/2/23", "31/6", "32/01/2024", "12/13/2024", "00/00/0000"])
def test_impossible_dates_are_found_but_invalid(text):
    [found] = find_dates(text, reference=REF)
    assert found.valid is False and found.value is None and found.text == text


@pytest.mark.parametrize(
    "text",
    [
        "The case has been open for 14 months",
        "Seen 3 weeks after birth",
        "Child aged 4 and sibling aged 7",
        "2 children in the household",
        "Graded scored 8/10 on the scale",
        "Visit booked at 10:30",
        "Duty line 0121 496 0000 or 07700 900123",
        "A section 47 enquiry",
        "S17 assessment and CP under s.47",
        "24/7 support from family",
        "She may attend the next meeting",
        "Jan attended the review",
        "See para 4.2.10 of the procedures",
        "Risk rated 3/5 by the assessor",
    ],
)
def test_things_that_are_not_dates_are_not_found(text):
    assert find_dates(text, reference=REF) == []


def test_dates_are_found_in_running_text_with_positions():
    text = "Referral made 12/03/2024; ICPC held 3rd April 2024 and core group w/c 15th April."
    found = find_dates(text, reference=REF)
    assert [f.iso for f in found] == ["2024-03-12", "2024-04-03", "2024-04-15"]
    assert all(text[f.start : f.end] == f.text for f in found)


def test_parse_date_rejects_text_that_is_more_than_a_date():
    assert parse_date("12/03/2024 and 13/03/2024", reference=REF) is None
    assert parse_date("not known", reference=REF) is None
    assert parse_date(" 12/03/2024. ", reference=REF).iso == "2024-03-12"


def test_periods_know_their_first_and_last_day():
    month = parse_date("Feb 2024", reference=REF)
    assert (month.first_day, month.last_day) == (date(2024, 2, 1), date(2024, 2, 29))
    year = find_dates("known since 2019", reference=REF)[0]
    assert (year.precision, year.last_day) == ("year", date(2019, 12, 31))
