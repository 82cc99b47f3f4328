"""The provider terms the assets service works under: the profile plus its assets policy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from services.assets.domain.policy import AssetPolicy
from shared.profile import Profile

if TYPE_CHECKING:
    from shared.service import Runtime

POLICIES = Path(__file__).resolve().parent.parent / "policies"


@dataclass(frozen=True)
class Terms:
    """The provider profile and the assets policy that goes with it."""

    profile: Profile
    policy: AssetPolicy


@cache
def load_policy(profile_id: str) -> AssetPolicy:
    """policies/<profile id>.yaml; a provider without one gets no workbook and the defaults."""
    path = POLICIES / f"{profile_id}.yaml"
    if not path.exists():
        return AssetPolicy(
            monthly_hardware_workbook=False,
            warranty_months=12,
            warranty_notice_days=30,
            pc_security_device_types=["laptop", "desktop"],
            examples=["warranty_months", "warranty_notice_days", "pc_security_device_types"],
        )
    return AssetPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def terms_of(runtime: Runtime) -> Terms:
    """The running service's terms."""
    return Terms(runtime.profile, load_policy(runtime.profile.id))
