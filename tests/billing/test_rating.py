"""Rating of work (DOMAIN.md section 3), one test per rule, with the real profiles."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from services.billing.domain.rating import rate_work
from services.billing.domain.work import RatedLine, RatingContext, WorkEntry, WorkKind
from shared.errors import DomainError
from shared.profile import Profile, load_profile

SAFE_IT = load_profile("safe-it")
MICO = load_profile("mico")

MONDAY = date(2026, 3, 16)
FRIDAY = date(2026, 3, 13)
SATURDAY = date(2026, 3, 14)
CHRISTMAS_EVE = date(2026, 12, 24)  # a Thursday, a bank closing day


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock))


def work(
    kind: WorkKind,
    day: date,
    start: str,
    end: str,
    *,
    end_day: date | None = None,
    km: str = "0",
    devices: int = 0,
) -> WorkEntry:
    return WorkEntry(
        entry_id="w-1",
        kind=kind,
        start=at(day, start),
        end=at(end_day or day, end),
        km=Decimal(km),
        devices=devices,
    )


def context(
    profile: Profile,
    *,
    agreement: bool = False,
    tier: str | None = None,
    included_left: str | None = None,
    km_this_year: str = "0",
) -> RatingContext:
    chosen = profile.tier(tier) if tier else None
    if tier:
        assert chosen is not None, tier
    left = Decimal(included_left) if included_left is not None else Decimal("0")
    return RatingContext(
        rates=profile.rates,
        has_agreement=agreement or chosen is not None,
        tier=chosen,
        included_remote_hours_left=left,
        km_driven_this_year=Decimal(km_this_year),
    )


def summary(lines: list[RatedLine]) -> list[tuple[Decimal, str, Decimal, Decimal]]:
    return [(line.quantity, line.unit, line.unit_price, line.amount) for line in lines]


def D(value: str) -> Decimal:
    return Decimal(value)


# --- Safe IT -------------------------------------------------------------------------------


def test_safe_it_consulting_is_850_per_started_hour() -> None:
    lines = rate_work(work("consulting", MONDAY, "10:00", "10:10"), context(SAFE_IT))
    assert summary(lines) == [(D("1"), "timer", D("850"), D("850.00"))]
    assert lines[0].description == "Konsulentbistand 16.03.2026 10:00–10:10"
    assert "per started hour" in lines[0].rule


def test_safe_it_consulting_across_16_splits_and_each_part_is_rounded_up() -> None:
    lines = rate_work(work("consulting", MONDAY, "15:30", "16:40"), context(SAFE_IT))
    assert summary(lines) == [
        (D("1"), "timer", D("850"), D("850.00")),
        (D("1"), "timer", D("1275"), D("1275.00")),
    ]
    assert lines[0].description == "Konsulentbistand 16.03.2026 15:30–16:00"
    assert (
        lines[1].description == "Konsulentbistand 16.03.2026 16:00–16:40 (hverdag efter kl. 16:00)"
    )
    assert "normal hours (08:00-16:00)" in lines[0].rule
    assert lines[1].rule.startswith("weekday after 16:00: 1.275 kr. per started hour")


def test_safe_it_normal_hours_start_at_08_and_earlier_weekday_time_is_after_hours() -> None:
    lines = rate_work(work("consulting", MONDAY, "07:30", "08:30"), context(SAFE_IT))
    assert summary(lines) == [
        (D("1"), "timer", D("1275"), D("1275.00")),
        (D("1"), "timer", D("850"), D("850.00")),
    ]
    assert lines[0].rule.startswith("weekday before 08:00")


def test_safe_it_remote_is_850_per_started_half_hour() -> None:
    lines = rate_work(work("remote", MONDAY, "10:00", "10:40"), context(SAFE_IT))
    assert summary(lines) == [(D("1"), "timer", D("850"), D("850.00"))]
    assert "per started half hour" in lines[0].rule


def test_safe_it_remote_of_ten_minutes_is_one_started_half_hour() -> None:
    lines = rate_work(work("remote", MONDAY, "10:00", "10:10"), context(SAFE_IT))
    assert summary(lines) == [(D("0.5"), "timer", D("850"), D("425.00"))]


def test_safe_it_onsite_is_at_least_one_and_a_half_hours_plus_mileage() -> None:
    lines = rate_work(work("onsite", MONDAY, "10:00", "10:20", km="42"), context(SAFE_IT))
    assert summary(lines) == [
        (D("1.5"), "timer", D("850"), D("1275.00")),
        (D("42"), "km", D("3.94"), D("165.48")),
    ]
    assert "minimum applied (+30 min)" in lines[0].rule
    assert lines[1].km == D("42")
    assert lines[1].description == "Kørsel 16.03.2026: 42 km à 3,94 kr. (statens takst)"


def test_safe_it_onsite_longer_than_the_minimum_is_per_started_hour() -> None:
    lines = rate_work(work("onsite", MONDAY, "10:00", "11:40"), context(SAFE_IT))
    assert summary(lines) == [(D("2"), "timer", D("850"), D("1700.00"))]


def test_safe_it_onsite_wholly_after_hours_gets_the_minimum_on_that_part() -> None:
    lines = rate_work(work("onsite", MONDAY, "18:00", "18:20"), context(SAFE_IT))
    assert summary(lines) == [(D("1.5"), "timer", D("1275"), D("1912.50"))]


def test_safe_it_mileage_crossing_20000_km_a_year_splits_at_the_threshold() -> None:
    lines = rate_work(
        work("onsite", MONDAY, "10:00", "11:30", km="50"),
        context(SAFE_IT, km_this_year="19970"),
    )
    assert summary(lines[1:]) == [
        (D("30"), "km", D("3.94"), D("118.20")),
        (D("20"), "km", D("2.28"), D("45.60")),
    ]
    assert "up to 20,000 km a year" in lines[1].rule
    assert "above 20,000 km a year" in lines[2].rule


def test_safe_it_mileage_above_20000_km_is_all_at_the_lower_rate() -> None:
    lines = rate_work(
        work("onsite", MONDAY, "10:00", "11:30", km="10"),
        context(SAFE_IT, km_this_year="25000"),
    )
    assert summary(lines[1:]) == [(D("10"), "km", D("2.28"), D("22.80"))]


def test_safe_it_weekday_after_16_is_1275_per_started_hour() -> None:
    lines = rate_work(work("remote", MONDAY, "17:00", "18:10"), context(SAFE_IT))
    assert summary(lines) == [(D("2"), "timer", D("1275"), D("2550.00"))]


def test_safe_it_saturday_is_1700_per_started_hour() -> None:
    lines = rate_work(work("remote", SATURDAY, "10:00", "10:20"), context(SAFE_IT))
    assert summary(lines) == [(D("1"), "timer", D("1700"), D("1700.00"))]
    assert lines[0].rule.startswith("Saturday: 1.700 kr. per started hour")
    assert "(lørdag)" in lines[0].description


def test_safe_it_a_holiday_on_a_weekday_is_rated_as_weekend() -> None:
    lines = rate_work(work("consulting", CHRISTMAS_EVE, "10:00", "10:30"), context(SAFE_IT))
    assert summary(lines) == [(D("1"), "timer", D("1700"), D("1700.00"))]
    assert "public holiday (Juleaftensdag)" in lines[0].rule


def test_safe_it_an_entry_across_midnight_into_saturday_splits_at_midnight() -> None:
    lines = rate_work(
        work("consulting", FRIDAY, "23:30", "00:30", end_day=SATURDAY), context(SAFE_IT)
    )
    assert summary(lines) == [
        (D("1"), "timer", D("1275"), D("1275.00")),
        (D("1"), "timer", D("1700"), D("1700.00")),
    ]
    assert [line.day for line in lines] == [FRIDAY, SATURDAY]
    assert lines[0].description.endswith("13.03.2026 23:30–24:00 (hverdag efter kl. 16:00)")
    assert lines[1].description == "Konsulentbistand 14.03.2026 00:00–00:30 (lørdag)"


def test_a_midnight_without_a_rate_change_does_not_split() -> None:
    lines = rate_work(
        work("consulting", MONDAY, "23:30", "00:20", end_day=date(2026, 3, 17)), context(SAFE_IT)
    )
    assert summary(lines) == [(D("1"), "timer", D("1275"), D("1275.00"))]


def test_safe_it_included_remote_hours_are_used_first() -> None:
    ctx = context(SAFE_IT, tier="it-agreement-silver", included_left="1.5")
    lines = rate_work(work("remote", MONDAY, "10:00", "12:00"), ctx)
    assert summary(lines) == [
        (D("1.5"), "timer", D("0"), D("0.00")),
        (D("0.5"), "timer", D("850"), D("425.00")),
    ]
    assert lines[0].rule == "included remote support: 1.5 of the month's 2 hours"
    assert lines[0].included_hours_used == D("1.5")
    assert lines[1].included_hours_used == D("0")
    assert lines[1].discount == D("0")  # remote support is not discounted


def test_safe_it_included_remote_hours_cover_the_whole_entry_when_enough_are_left() -> None:
    ctx = context(SAFE_IT, tier="it-agreement-bronze", included_left="1")
    lines = rate_work(work("remote", MONDAY, "10:00", "10:25"), ctx)
    assert summary(lines) == [(D("0.5"), "timer", D("0"), D("0.00"))]
    assert lines[0].included_hours_used == D("0.5")


def test_safe_it_included_remote_hours_do_not_cover_after_hours() -> None:
    ctx = context(SAFE_IT, tier="it-agreement-silver", included_left="2")
    lines = rate_work(work("remote", MONDAY, "15:30", "16:30"), ctx)
    assert summary(lines) == [
        (D("0.5"), "timer", D("0"), D("0.00")),
        (D("1"), "timer", D("1275"), D("1275.00")),
    ]


def test_safe_it_silver_consulting_discount_is_10_percent() -> None:
    ctx = context(SAFE_IT, tier="it-agreement-silver")
    lines = rate_work(work("consulting", MONDAY, "10:00", "11:30"), ctx)
    assert summary(lines) == [(D("2"), "timer", D("850"), D("1530.00"))]
    assert lines[0].discount == D("0.10")
    assert "consulting discount 10%" in lines[0].rule


def test_safe_it_gold_discount_applies_to_onsite_but_not_after_hours_or_mileage() -> None:
    ctx = context(SAFE_IT, tier="it-agreement-gold")
    lines = rate_work(work("onsite", MONDAY, "15:00", "16:30", km="10"), ctx)
    assert [(line.amount, line.discount) for line in lines] == [
        (D("722.50"), D("0.15")),
        (D("1275.00"), D("0")),
        (D("39.40"), D("0")),
    ]


def test_safe_it_device_setup_is_650_per_device_with_silver() -> None:
    ctx = context(SAFE_IT, tier="it-agreement-silver")
    lines = rate_work(work("setup", SATURDAY, "10:00", "13:00", devices=3), ctx)
    assert summary(lines) == [(D("3"), "enheder", D("650"), D("1950.00"))]
    assert lines[0].description == "Opsætning af 3 enheder 14.03.2026"


def test_safe_it_setup_without_agreement_is_850_per_started_hour() -> None:
    lines = rate_work(work("setup", MONDAY, "10:00", "11:10", devices=2), context(SAFE_IT))
    assert summary(lines) == [(D("2"), "timer", D("850"), D("1700.00"))]


def test_safe_it_setup_with_bronze_is_850_per_started_hour() -> None:
    ctx = context(SAFE_IT, tier="it-agreement-bronze")
    lines = rate_work(work("setup", MONDAY, "10:00", "10:45", devices=1), ctx)
    assert summary(lines) == [(D("1"), "timer", D("850"), D("850.00"))]


def test_safe_it_hourly_setup_after_hours_uses_the_after_hours_band() -> None:
    lines = rate_work(work("setup", MONDAY, "15:30", "16:15"), context(SAFE_IT))
    assert summary(lines) == [
        (D("1"), "timer", D("850"), D("850.00")),
        (D("1"), "timer", D("1275"), D("1275.00")),
    ]


# --- MICO ----------------------------------------------------------------------------------


def test_mico_consulting_is_650_with_agreement() -> None:
    lines = rate_work(work("consulting", MONDAY, "10:00", "10:30"), context(MICO, agreement=True))
    assert summary(lines) == [(D("1"), "timer", D("650"), D("650.00"))]


def test_mico_trial_is_rated_as_agreement() -> None:
    on_trial = True
    has_agreement = on_trial and MICO.rates.trial_counts_as_agreement
    lines = rate_work(
        work("consulting", MONDAY, "10:00", "11:30"), context(MICO, agreement=has_agreement)
    )
    assert summary(lines) == [(D("2"), "timer", D("650"), D("1300.00"))]


def test_mico_consulting_is_850_without_agreement() -> None:
    lines = rate_work(work("consulting", MONDAY, "10:00", "10:30"), context(MICO))
    assert summary(lines) == [(D("1"), "timer", D("850"), D("850.00"))]


def test_mico_normal_hours_are_09_to_16_and_0830_to_0930_splits() -> None:
    lines = rate_work(work("consulting", MONDAY, "08:30", "09:30"), context(MICO, agreement=True))
    on_call = MICO.rates.after_hours_weekday.price_per_hour  # an example value in the profile
    assert summary(lines) == [
        (D("1"), "timer", on_call, on_call),
        (D("1"), "timer", D("650"), D("650.00")),
    ]
    assert lines[0].rule.startswith("weekday before 09:00")
    assert "normal hours (09:00-16:00)" in lines[1].rule


def test_mico_remote_is_rated_as_consulting() -> None:
    lines = rate_work(work("remote", MONDAY, "10:00", "10:40"), context(MICO, agreement=True))
    assert summary(lines) == [(D("1"), "timer", D("650"), D("650.00"))]


def test_mico_onsite_is_rated_as_consulting_plus_mileage() -> None:
    lines = rate_work(work("onsite", MONDAY, "10:00", "10:20", km="42"), context(MICO))
    assert summary(lines) == [
        (D("1"), "timer", D("850"), D("850.00")),
        (D("42"), "km", D("3.94"), D("165.48")),
    ]


def test_mico_after_hours_and_weekends_use_the_on_call_rate() -> None:
    rates = MICO.rates
    evening = rate_work(work("consulting", MONDAY, "17:00", "17:30"), context(MICO, agreement=True))
    weekend = rate_work(work("remote", SATURDAY, "10:00", "10:30"), context(MICO, agreement=True))
    assert summary(evening) == [
        (
            D("1"),
            "timer",
            rates.after_hours_weekday.price_per_hour,
            rates.after_hours_weekday.price_per_hour,
        )
    ]
    assert summary(weekend) == [
        (
            D("1"),
            "timer",
            rates.weekend_and_holiday.price_per_hour,
            rates.weekend_and_holiday.price_per_hour,
        )
    ]


def test_mico_replacements_beyond_the_agreement_are_650_per_hour() -> None:
    lines = rate_work(work("setup", MONDAY, "10:00", "11:15"), context(MICO, agreement=True))
    assert summary(lines) == [(D("2"), "timer", D("650"), D("1300.00"))]


def test_mico_setup_without_agreement_is_850_per_hour() -> None:
    lines = rate_work(work("setup", MONDAY, "10:00", "11:15"), context(MICO))
    assert summary(lines) == [(D("2"), "timer", D("850"), D("1700.00"))]


# --- Driven by the profile, and bad input -------------------------------------------------


def test_rating_follows_the_profile_not_literals() -> None:
    rates = SAFE_IT.rates.model_copy(
        update={
            "normal_hours_end": time(17, 0),
            "after_hours_weekday": SAFE_IT.rates.after_hours_weekday.model_copy(
                update={"price_per_hour": D("1000"), "unit_minutes": 30}
            ),
        }
    )
    ctx = RatingContext(rates, False, None, D("0"), D("0"))
    lines = rate_work(work("consulting", MONDAY, "16:30", "17:10"), ctx)
    assert summary(lines) == [
        (D("1"), "timer", D("850"), D("850.00")),
        (D("0.5"), "timer", D("1000"), D("500.00")),
    ]


@pytest.mark.parametrize(
    ("entry", "tier", "field"),
    [
        (work("consulting", MONDAY, "10:00", "09:00"), None, "end"),
        (work("consulting", MONDAY, "10:00", "10:00"), None, "end"),
        (work("consulting", MONDAY, "10:00", "10:01", end_day=date(2026, 3, 17)), None, "end"),
        (work("onsite", MONDAY, "10:00", "11:00", km="-1"), None, "km"),
        (work("remote", MONDAY, "10:00", "11:00", km="5"), None, "km"),
        (work("setup", MONDAY, "10:00", "11:00", devices=0), "it-agreement-silver", "devices"),
        (work("setup", MONDAY, "10:00", "11:00", devices=-1), None, "devices"),
    ],
    ids=[
        "end-before-start",
        "empty",
        "longer-than-24h",
        "negative-km",
        "km-on-remote",
        "per-device-setup-without-devices",
        "negative-devices",
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    entry: WorkEntry, tier: str | None, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        rate_work(entry, context(SAFE_IT, tier=tier))
    assert refused.value.field == field


def test_exactly_24_hours_is_accepted() -> None:
    lines = rate_work(
        work("consulting", MONDAY, "10:00", "10:00", end_day=date(2026, 3, 17)), context(SAFE_IT)
    )
    assert sum(line.quantity for line in lines) == D("24")
