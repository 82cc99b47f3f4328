"""The provider profile: a provider's terms as data (catalogue, prices, rules), validated at start."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"

BillingPeriod = Literal["monthly", "quarterly", "yearly", "once"]
ServiceKind = Literal[
    "m365", "hosting", "pc-security", "web-security", "it-agreement", "service-package", "other"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoticeRule(_Strict):
    """How a cancellation's end date follows from the day notice is given."""

    rule: Literal[
        "current_month_plus_months", "months_from_notice", "end_of_term", "end_of_following_quarter"
    ]
    months: int = Field(default=1, ge=0, le=24)
    description: str


class VolumeTier(_Strict):
    """Unit price from a quantity upwards."""

    from_quantity: int = Field(ge=1)
    unit_price: Decimal = Field(ge=0)


class Product(_Strict):
    """One SKU of the catalogue."""

    sku: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")
    name: str
    description: str = ""
    kind: ServiceKind
    unit: str = "stk."
    unit_price: Decimal = Field(ge=0, description="Price per unit per month, excl. VAT")
    billing_periods: list[BillingPeriod] = Field(min_length=1)
    yearly_discount: Decimal = Field(default=Decimal("0"), ge=0, lt=1)
    volume_tiers: list[VolumeTier] = Field(default_factory=list)
    payment_terms_days: int = Field(ge=0, le=90)
    notice: dict[BillingPeriod, NoticeRule] = Field(default_factory=dict)
    suspendable: bool = False
    per_agreement_max: int | None = Field(default=None, ge=1)
    per_agreement_min: int = Field(default=0, ge=0)
    taxable: bool = True
    examples: list[str] = Field(
        default_factory=list, description="Fields whose values are examples, not from the terms"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Product:
        missing = [p for p in self.billing_periods if p != "once" and p not in self.notice]
        if missing:
            raise ValueError(f"notice rule missing for billing period(s) {missing}")
        unknown = [f for f in self.examples if f not in type(self).model_fields]
        if unknown:
            raise ValueError(f"examples names unknown field(s) {unknown}")
        tiers = [t.from_quantity for t in self.volume_tiers]
        if tiers and (tiers != sorted(set(tiers)) or tiers[0] != 1):
            raise ValueError("volume_tiers must start at 1 and increase")
        return self

    def price_for(self, quantity: int, period: BillingPeriod) -> Decimal:
        """Monthly unit price for this quantity and period (volume tier, yearly discount)."""
        price = self.unit_price
        for tier in self.volume_tiers:
            if quantity >= tier.from_quantity:
                price = tier.unit_price
        if period == "yearly":
            price = price * (1 - self.yearly_discount)
        return price


class Tier(_Strict):
    """What an IT service agreement tier includes (Safe IT's Bronze, Silver, Gold)."""

    sku: str
    included_pc_security: int = Field(ge=0)
    included_remote_hours_per_month: Decimal = Field(ge=0)
    it_check_max_hours: Decimal = Field(ge=0)
    status_meeting_max_hours: Decimal = Field(ge=0)
    consulting_discount: Decimal = Field(ge=0, lt=1)
    gdpr_check: bool
    security_check_every_months: int = Field(ge=1)
    first_security_check_after_months: int = Field(ge=0)
    device_setup_price: Decimal | None = Field(default=None, ge=0)
    examples: list[str] = Field(default_factory=list)


class Trial(_Strict):
    """A trial period before the agreement's subscriptions start (MICO)."""

    work_rate: Decimal = Field(ge=0)
    registration_free: bool = True


class AgreementModel(_Strict):
    """How a customer's agreement is built."""

    kind: Literal["tiers", "packages"]
    tiers: list[Tier] = Field(default_factory=list)
    base_package: str | None = None
    trial: Trial | None = None
    order_confirmations: bool = False
    service_visits_per_year: int = Field(default=0, ge=0)


class Seller(_Strict):
    """The provider as it appears on invoices."""

    name: str
    cvr: str = Field(pattern=r"^\d{8}$")
    address: str
    email: str
    phone: str = ""
    creditor_number: str = Field(pattern=r"^\d{8}$", description="FI creditor number (+71)")
    bank_account: str = ""


class RateBand(_Strict):
    """A price per hour, charged per started unit of minutes."""

    price_per_hour: Decimal = Field(ge=0)
    unit_minutes: int = Field(gt=0, le=60)


class WorkRate(_Strict):
    """The rate of one kind of work in normal hours, with and without an agreement."""

    with_agreement: RateBand
    without_agreement: RateBand
    minimum_minutes: int = Field(default=0, ge=0)


class MileageRate(_Strict):
    """The state's mileage rate (statens takster) from a date: per km up to a yearly threshold, then lower."""

    valid_from: date
    rate_per_km: Decimal = Field(ge=0)
    threshold_km_per_year: int = Field(ge=0)
    rate_above_threshold: Decimal = Field(ge=0)


class Rates(_Strict):
    """How work is rated: normal hours, per-kind rates, after-hours, setup, mileage."""

    normal_hours_start: time
    normal_hours_end: time
    consulting: WorkRate
    remote: WorkRate
    onsite: WorkRate
    after_hours_weekday: RateBand
    weekend_and_holiday: RateBand
    setup_hourly: RateBand
    trial_counts_as_agreement: bool = True
    mileage: list[MileageRate] = Field(min_length=1)
    examples: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _hours(self) -> Rates:
        if self.normal_hours_start >= self.normal_hours_end:
            raise ValueError("normal_hours_start must be before normal_hours_end")
        return self

    def mileage_on(self, day: date) -> MileageRate:
        """The mileage rate in force on a day."""
        in_force = [
            m for m in sorted(self.mileage, key=lambda m: m.valid_from) if m.valid_from <= day
        ]
        if not in_force:
            raise ValueError(f"no mileage rate in force on {day}")
        return in_force[-1]


# renteloven: a reminder fee is at most 100 kr. (§9 b), at most 3 fee-bearing reminders per claim,
# sent at least 10 days apart; a business debtor owes a fixed 310 kr. compensation (§9 a stk. 3);
# late interest is the reference rate plus at most 8 percentage points (§5).
LAW_MAX_REMINDER_FEE = Decimal("100")
LAW_MAX_FEE_REMINDERS = 3
LAW_MIN_DAYS_BETWEEN_FEES = 10
LAW_COMPENSATION = Decimal("310")
LAW_MAX_INTEREST_MARGIN = Decimal("8")


class DunningStep(_Strict):
    """One rung of the ladder: when it acts (from an anchor date), what it sends and does."""

    id: str
    title: str
    anchor: Literal["due_date", "previous_deadline", "previous_action"]
    wait_days: int = Field(default=0, ge=0)
    acts: Literal["after_deadline", "on_day"] = "after_deadline"
    new_deadline_days: int | None = Field(default=None, ge=0)
    fee: Decimal = Field(default=Decimal("0"), ge=0)
    compensation: bool = False
    letter: Literal["reminder", "collection_notice", "none"] = "reminder"
    actions: list[Literal["suspend", "close", "delete_hosted_data"]] = Field(default_factory=list)


class ReferenceRate(_Strict):
    """Nationalbanken's reference rate fixed on 1 January or 1 July (percent a year)."""

    valid_from: date
    rate: Decimal


class DunningPolicy(_Strict):
    """The dunning ladder as data, held to what Danish law allows."""

    steps: list[DunningStep] = Field(min_length=1)
    suspension_scope: Literal["invoice", "customer"] = "invoice"
    hosting_restore_hours: int = Field(default=48, ge=1)
    reopening_fee: Decimal = Field(default=Decimal("0"), ge=0)
    restore_after_closure_hours: Decimal = Field(default=Decimal("0"), ge=0)
    compensation_amount: Decimal = LAW_COMPENSATION
    interest_enabled: bool = False
    interest_margin_points: Decimal = LAW_MAX_INTEREST_MARGIN
    reference_rates: list[ReferenceRate] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lawful(self) -> DunningPolicy:
        for index, step in enumerate(self.steps):
            if step.fee > LAW_MAX_REMINDER_FEE:
                raise ValueError(
                    f"steps.{index}.fee: {step.fee} kr. is more than the {LAW_MAX_REMINDER_FEE} kr. "
                    "a reminder may carry (renteloven §9 b)"
                )
            if step.fee and step.letter == "none":
                raise ValueError(f"steps.{index}.fee: a fee needs a reminder letter")
            if index == 0 and step.anchor != "due_date":
                raise ValueError("steps.0.anchor: the first step starts from the due date")
        if self.compensation_amount > LAW_COMPENSATION:
            raise ValueError(
                f"compensation_amount: {self.compensation_amount} kr. is more than the "
                f"{LAW_COMPENSATION} kr. of renteloven §9 a stk. 3"
            )
        if self.interest_margin_points > LAW_MAX_INTEREST_MARGIN:
            raise ValueError(
                f"interest_margin_points: at most {LAW_MAX_INTEREST_MARGIN} points above the reference rate "
                "(renteloven §5)"
            )
        if self.interest_enabled and not self.reference_rates:
            raise ValueError("reference_rates: late interest needs the dated reference rates")
        if len({s.id for s in self.steps}) != len(self.steps):
            raise ValueError("steps: every step needs its own id")
        return self


class Invoicing(_Strict):
    """When invoices are made and what they say."""

    run_on: Literal["last_business_day_of_month", "last_business_day_of_quarter"]
    subscriptions_in_advance: bool = True
    default_payment_terms_days: int = Field(ge=0, le=90)
    dispute_days: int = Field(default=5, ge=0)
    price_change_notice_days: int = Field(default=30, ge=0)


class Profile(_Strict):
    """A provider's whole set of terms."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    seller: Seller
    timezone: str = "Europe/Copenhagen"
    vat_rate: Decimal = Field(default=Decimal("0.25"), ge=0, lt=1)
    invoicing: Invoicing
    agreement: AgreementModel
    rates: Rates
    dunning: DunningPolicy
    catalogue: list[Product] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Profile:
        skus = [p.sku for p in self.catalogue]
        duplicates = sorted({s for s in skus if skus.count(s) > 1})
        if duplicates:
            raise ValueError(f"catalogue has duplicate SKUs {duplicates}")
        for tier in self.agreement.tiers:
            if tier.sku not in skus:
                raise ValueError(f"agreement tier {tier.sku!r} is not in the catalogue")
        base = self.agreement.base_package
        if base is not None and base not in skus:
            raise ValueError(f"base_package {base!r} is not in the catalogue")
        if self.agreement.kind == "packages" and base is None:
            raise ValueError("a package agreement needs a base_package")
        return self

    def product(self, sku: str) -> Product | None:
        """The catalogue entry for a SKU."""
        return next((p for p in self.catalogue if p.sku == sku), None)

    def tier(self, sku: str) -> Tier | None:
        """The agreement tier for a SKU."""
        return next((t for t in self.agreement.tiers if t.sku == sku), None)


class ProfileError(Exception):
    """A profile that cannot be used, with the path of each bad field."""


def load_profile(name_or_path: str | Path) -> Profile:
    """Load profiles/<name>.yaml (or a path); ProfileError names the bad field's path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    if isinstance(raw, dict):
        # Top-level keys starting with "_" only hold YAML anchors shared by the entries below.
        raw = {key: value for key, value in raw.items() if not str(key).startswith("_")}
    try:
        return Profile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ProfileError(f"{path}: {problems}") from exc
