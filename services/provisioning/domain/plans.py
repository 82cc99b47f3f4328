"""What each dunning decision means at the vendors, per kind of service (DOMAIN.md 5).

An action is a list of steps. An API step names the port call; a manual step is a
task for operations (ManageWP has no API; some undoing needs a person). Each step
says which vendor-reference keys it needs, so a subscription without them is reported
instead of skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Operation = Literal["suspend", "restore", "close", "delete", "end"]

TENANT = ("tenant_id", "vendor_subscription_id")


@dataclass(frozen=True)
class Step:
    """One thing to do at one vendor (or by hand)."""

    name: str
    needs: tuple[str, ...] = ()
    instructions: str | None = None  # a manual step: the task text, formatted with the reference

    @property
    def manual(self) -> bool:
        """A person does this step; the platform only tracks it."""
        return self.instructions is not None


def _manual(name: str, instructions: str, *needs: str) -> Step:
    return Step(f"manual.{name}", tuple(needs), instructions)


_STEPS = (
    Step("licence.suspend", TENANT),
    Step("licence.reactivate", TENANT),
    Step("licence.end", TENANT),
    Step("hosting.suspend", ("domain",)),
    Step("hosting.activate", ("domain",)),
    Step("hosting.close", ("domain",)),
    Step("hosting.delete", ("domain",)),
    Step("antivirus.suspend", ("licence_key",)),
    Step("antivirus.unsuspend", ("licence_key",)),
    Step("antivirus.delete_company", ("company_id",)),
    Step("monitoring.pause", ("rmm_client",)),
    Step("monitoring.resume", ("rmm_client",)),
    Step("monitoring.remove", ("rmm_client",)),
    _manual("site-pause", "Pause backups and updates of {site} in ManageWP.", "site"),
    _manual("site-resume", "Resume backups and updates of {site} in ManageWP.", "site"),
    _manual("site-remove", "Remove {site} from ManageWP.", "site"),
    _manual(
        "licence-auto-renew",
        "Turn auto-renew back on for Microsoft 365 subscription {vendor_subscription_id} "
        "(tenant {tenant_id}) in Partner Center: it was set to lapse when the service was "
        "closed permanently.",
        *TENANT,
    ),
    _manual(
        "pc-security-reenrol",
        "Set up PC security again: ESET licence {licence_key} and RMM client {rmm_client} "
        "were removed when the service was closed permanently.",
        "licence_key",
        "rmm_client",
    ),
)
STEPS: dict[str, Step] = {step.name: step for step in _STEPS}

_PLANS: dict[tuple[str, str], tuple[str, ...]] = {
    ("m365", "suspend"): ("licence.suspend",),
    ("m365", "restore"): ("licence.reactivate",),
    ("m365", "reopen"): ("licence.reactivate", "manual.licence-auto-renew"),
    ("m365", "close"): ("licence.end",),
    ("m365", "end"): ("licence.end",),
    ("hosting", "suspend"): ("hosting.suspend",),
    ("hosting", "restore"): ("hosting.activate",),
    ("hosting", "reopen"): ("hosting.activate",),
    # Closed hosting stays suspended until HostedDataDeletionDue deletes it.
    ("hosting", "close"): ("hosting.close",),
    ("hosting", "end"): ("hosting.close",),
    ("hosting", "delete"): ("hosting.delete",),
    ("pc-security", "suspend"): ("antivirus.suspend", "monitoring.pause"),
    ("pc-security", "restore"): ("antivirus.unsuspend", "monitoring.resume"),
    ("pc-security", "reopen"): ("manual.pc-security-reenrol",),
    ("pc-security", "close"): ("monitoring.remove", "antivirus.delete_company"),
    ("pc-security", "end"): ("monitoring.remove", "antivirus.delete_company"),
    ("web-security", "suspend"): ("manual.site-pause",),
    ("web-security", "restore"): ("manual.site-resume",),
    ("web-security", "reopen"): ("manual.site-resume",),
    ("web-security", "close"): ("manual.site-remove",),
    ("web-security", "end"): ("manual.site-remove",),
}
# Only hosting keeps data at a vendor that dunning deletes; Microsoft keeps its own retention.
_NOTHING_TO_DO = {("m365", "delete"), ("pc-security", "delete"), ("web-security", "delete")}


def plan(service_kind: str, operation: Operation, *, after_closure: bool = False) -> list[Step]:
    """The steps of one action; a dunning decision about an unknown kind becomes a manual task."""
    key = "reopen" if operation == "restore" and after_closure else operation
    if (service_kind, key) in _NOTHING_TO_DO:
        return []
    names = _PLANS.get((service_kind, key))
    if names is None and operation == "end":
        return []  # an IT agreement or a service package that ends has nothing at a vendor
    if names is None:
        return [step_named(f"manual.{'restore' if key == 'reopen' else key}")]
    return [STEPS[name] for name in names]


def step_named(name: str) -> Step:
    """A step recorded on an action; a kind without integration gets a generic manual step."""
    found = STEPS.get(name)
    if found is not None:
        return found
    verb = name.removeprefix("manual.")
    return Step(name, (), f"No vendor integration for {{sku}}: {verb} it by hand.")


def missing_keys(steps: Sequence[Step], reference: Mapping[str, str]) -> list[str]:
    """Reference keys the steps need that the subscription does not have."""
    needed = dict.fromkeys(key for step in steps for key in step.needs)
    return [key for key in needed if not reference.get(key)]


def instructions(step: Step, reference: Mapping[str, str], sku: str) -> str:
    """The manual task's text for this subscription."""
    assert step.instructions is not None
    values = _Blank({"sku": sku, **reference})
    return step.instructions.format_map(values)


class _Blank(dict[str, str]):
    """A missing key shows as a visible gap rather than failing the task."""

    def __missing__(self, key: str) -> str:
        return f"<{key}?>"
