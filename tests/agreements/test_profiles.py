"""Provider profiles: both ship and load; a broken one stops the start and names the bad field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.platform import EmbeddedPlatform
from shared.profile import PROFILES_DIR, ProfileError, load_profile
from shared.settings import PlatformSettings


def test_both_profiles_load_with_the_skus_of_their_terms() -> None:
    safe_it, mico = load_profile("safe-it"), load_profile("mico")
    assert {p.sku for p in safe_it.catalogue} >= {
        "pc-security",
        "web-security",
        "m365-business-basic",
        "m365-business-standard",
        "m365-business-premium",
        "hosting-standard",
        "it-agreement-bronze",
        "it-agreement-silver",
        "it-agreement-gold",
        "it-security-check",
    }
    assert {p.sku for p in mico.catalogue} == {
        "MCOSAABAS",
        "MCOSABBRU",
        "MCOSABCOM",
        "MCOSACSRV",
        "MCOSADNET",
    }
    assert safe_it.invoicing.run_on == "last_business_day_of_month"
    assert mico.invoicing.run_on == "last_business_day_of_quarter"
    assert safe_it.product("pc-security").unit_price == 135  # type: ignore[union-attr]
    assert safe_it.product("web-security").unit_price == 850  # type: ignore[union-attr]
    assert mico.agreement.trial is not None and mico.agreement.trial.work_rate == 650


def broken_copy(tmp_path: Path, change: str) -> Path:
    raw = yaml.safe_load((PROFILES_DIR / "safe-it.yaml").read_text(encoding="utf-8"))
    if change == "negative price":
        raw["catalogue"][3]["unit_price"] = "-5"
    elif change == "unknown tier":
        raw["agreement"]["tiers"][0]["sku"] = "it-agreement-platinum"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_broken_field_is_reported_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(
        ProfileError, match=r"catalogue\.3\.unit_price: Input should be greater than or equal to 0"
    ):
        load_profile(broken_copy(tmp_path, "negative price"))


def test_a_reference_to_a_missing_sku_is_reported(tmp_path: Path) -> None:
    with pytest.raises(
        ProfileError, match="agreement tier 'it-agreement-platinum' is not in the catalogue"
    ):
        load_profile(broken_copy(tmp_path, "unknown tier"))


async def test_the_platform_does_not_start_on_a_broken_profile(tmp_path: Path) -> None:
    settings = PlatformSettings(
        var_dir=tmp_path / "var", profile=str(broken_copy(tmp_path, "negative price"))
    )
    platform = EmbeddedPlatform(settings)
    with pytest.raises(ProfileError, match=r"catalogue\.3\.unit_price"):
        await platform.start()
    await platform.stop()
