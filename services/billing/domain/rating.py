"""Rating of work: a time entry becomes invoice lines, each saying which rule priced it.

Everything comes from the profile's `Rates` and the customer's tier; no price is written here.

Rules (DOMAIN.md section 3 "Rating of work", plus the choices where the terms are silent):

- Bands. Normal hours are business days from `normal_hours_start` to `normal_hours_end`.
  Weekday time outside them is `after_hours_weekday`. Saturdays, Sundays and every Danish
  bank closing day (public holidays and also 24 Dec, 31 Dec, 5 June and the Friday after
  Ascension Day) are `weekend_and_holiday`, all day.
- Splitting. An entry is cut where the band changes (normal-hours start/end, midnight into
  or out of a weekend/holiday). Each part is rounded up to its band's started unit and is its
  own line. A midnight that does not change the band (weekday 22:00-02:00) does not split.
- Normal-hours price: the kind's `with_agreement` band when `context.has_agreement`, else
  `without_agreement`. The caller sets has_agreement for a MICO trial
  (`rates.trial_counts_as_agreement`), since the trial is agreement state, not rating.
- Minimum (`WorkRate.minimum_minutes`, on-site 90 at Safe IT): if the entry's rounded parts
  add up to less, the difference is added to the first normal-hours part; a visit wholly
  outside normal hours gets it on its cheapest part (earliest on a tie).
- Included remote hours (tier): used first, in time order, on normal-hours remote parts
  only, after rounding; the covered hours are a 0-priced line. After-hours and
  weekend/holiday remote time is never covered.
- Tier consulting discount: on normal-hours consulting and on-site lines (minimum included);
  not on after-hours, weekend/holiday, remote, setup or mileage lines.
- Setup: with a tier that has `device_setup_price`, devices x that price whatever the time
  or hour. Otherwise hourly: `setup_hourly` in normal hours with an agreement, the standard
  rate (`consulting.without_agreement`) without one, and the after-hours bands outside normal
  hours.
- Mileage: any entry with km > 0 except remote work (refused) gets mileage lines.
- Times are naive Europe/Copenhagen wall-clock times; entries over 24 hours are refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from services.billing.domain.rating_checks import check_entry
from services.billing.domain.rating_mileage import mileage_lines
from services.billing.domain.rating_text import DASH, KIND_EN, describe, kr, per_unit, plain
from services.billing.domain.rating_time import TimePart, split_by_band
from services.billing.domain.work import RatedLine, RatingContext, WorkEntry
from shared.money import dkk
from shared.profile import RateBand, Rates, Tier

ZERO = Decimal("0")
HOURS_UNIT = "timer"


@dataclass(frozen=True)
class _Part:
    """A time part with the band that prices it and the minutes it is billed for."""

    time: TimePart
    band: RateBand
    basis: str  # English: which rule chose the band
    notes: tuple[str, ...]  # Danish: why, for the customer
    minutes: int  # rounded up to started units, plus any minimum
    minimum_added: int = 0


def rate_work(entry: WorkEntry, context: RatingContext) -> list[RatedLine]:
    """Price one work entry as invoice lines (time lines in order, then mileage).

    Raises DomainError naming the field for input that cannot be rated.
    """
    check_entry(entry, context)
    tier = context.tier
    if entry.kind == "setup" and tier is not None and tier.device_setup_price is not None:
        lines = [_device_setup(entry, tier, tier.device_setup_price)]
    else:
        lines = _time_lines(entry, context)
    return lines + mileage_lines(entry, context)


def _normal_band(entry: WorkEntry, context: RatingContext) -> tuple[RateBand, str]:
    rates = context.rates
    hours = f"{rates.normal_hours_start:%H:%M}-{rates.normal_hours_end:%H:%M}"
    if entry.kind == "setup":
        if context.has_agreement:
            return rates.setup_hourly, f"hourly setup in normal hours ({hours})"
        # Without an agreement both seeds charge the standard hourly rate (Safe IT
        # "standard timetakst", MICO's 850), i.e. consulting without agreement.
        return rates.consulting.without_agreement, f"setup without agreement ({hours})"
    work = getattr(rates, entry.kind)
    agreement = "with" if context.has_agreement else "without"
    band = work.with_agreement if context.has_agreement else work.without_agreement
    return band, f"{KIND_EN[entry.kind]} in normal hours ({hours}) {agreement} agreement"


def _minimum_minutes(entry: WorkEntry, rates: Rates) -> int:
    if entry.kind == "setup":
        return 0
    minimum: int = getattr(rates, entry.kind).minimum_minutes
    return minimum


def _started_minutes(seconds: int, unit_minutes: int) -> int:
    return math.ceil(seconds / (unit_minutes * 60)) * unit_minutes


def _parts(entry: WorkEntry, context: RatingContext) -> list[_Part]:
    rates = context.rates
    normal, normal_basis = _normal_band(entry, context)
    parts: list[_Part] = []
    for time_part in split_by_band(entry.start, entry.end, rates):
        if time_part.band == "normal":
            band, basis = normal, normal_basis
        else:
            weekday = time_part.band == "after_hours"
            band = rates.after_hours_weekday if weekday else rates.weekend_and_holiday
            basis = " and ".join(reason.en for reason in time_part.reasons)
        notes = tuple(reason.da for reason in time_part.reasons)
        minutes = _started_minutes(time_part.seconds, band.unit_minutes)
        parts.append(_Part(time_part, band, basis, notes, minutes))
    shortfall = _minimum_minutes(entry, rates) - sum(p.minutes for p in parts)
    if shortfall > 0:
        target = _minimum_target(parts)
        chosen = parts[target]
        parts[target] = replace(chosen, minutes=chosen.minutes + shortfall, minimum_added=shortfall)
    return parts


def _minimum_target(parts: list[_Part]) -> int:
    """The first normal-hours part, else the cheapest part (earliest on a tie)."""
    for index, part in enumerate(parts):
        if part.time.band == "normal":
            return index
    return min(range(len(parts)), key=lambda i: (parts[i].band.price_per_hour, i))


def _tidy(hours: Decimal) -> Decimal:
    """A quantity as shown: 1.5, not 1.500000; amounts are computed from the exact value."""
    return Decimal(plain(hours.quantize(Decimal("0.0001"))))


def _time_lines(entry: WorkEntry, context: RatingContext) -> list[RatedLine]:
    tier = context.tier
    included_left = context.included_remote_hours_left
    lines: list[RatedLine] = []
    for part in _parts(entry, context):
        normal = part.time.band == "normal"
        hours = Decimal(part.minutes) / 60
        notes = list(part.notes)
        worked = plain((Decimal(part.time.seconds) / 60).quantize(Decimal("0.01")))
        rule = f"{part.basis}: {kr(part.band.price_per_hour)} {per_unit(part.band.unit_minutes)}"
        rule += f"; {worked} min worked"
        if part.minimum_added:
            rule += f"; {KIND_EN[entry.kind]} minimum applied (+{part.minimum_added} min)"
        if entry.kind == "remote" and tier is not None and normal and included_left > 0:
            covered = min(included_left, hours)
            included_left -= covered
            lines.append(_included(entry, part, covered, tier))
            hours -= covered
            if hours == 0:
                continue
            rule += f"; {plain(covered)} h covered by included remote support"
            notes.append("ud over inkluderede timer")
        discount = ZERO
        if tier is not None and normal and entry.kind in ("consulting", "onsite"):
            discount = tier.consulting_discount
            if discount:
                rule += f"; {tier.sku} consulting discount {plain(discount * 100)}%"
        price = part.band.price_per_hour
        lines.append(
            RatedLine(
                description=describe(entry, part.time.start, part.time.end, notes),
                quantity=_tidy(hours),
                unit=HOURS_UNIT,
                unit_price=price,
                discount=discount,
                amount=dkk(hours * price * (1 - discount)),
                rule=rule,
                day=part.time.start.date(),
            )
        )
    return lines


def _included(entry: WorkEntry, part: _Part, covered: Decimal, tier: Tier) -> RatedLine:
    month = plain(tier.included_remote_hours_per_month)
    return RatedLine(
        description=describe(
            entry, part.time.start, part.time.end, ["inkluderet i serviceaftalen"]
        ),
        quantity=_tidy(covered),
        unit=HOURS_UNIT,
        unit_price=ZERO,
        discount=ZERO,
        amount=dkk(ZERO),
        rule=f"included remote support: {plain(covered)} of the month's {month} hours",
        day=part.time.start.date(),
        included_hours_used=_tidy(covered),
    )


def _device_setup(entry: WorkEntry, tier: Tier, price: Decimal) -> RatedLine:
    devices = entry.devices
    noun = "enhed" if devices == 1 else "enheder"
    note = f" {DASH} {entry.description}" if entry.description else ""
    return RatedLine(
        description=f"Opsætning af {devices} {noun} {entry.start:%d.%m.%Y}{note}",
        quantity=Decimal(devices),
        unit="enheder",
        unit_price=price,
        discount=ZERO,
        amount=dkk(price * devices),
        rule=f"device setup with {tier.sku}: {kr(price)} per device, whatever the time spent",
        day=entry.start.date(),
    )
