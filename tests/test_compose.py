"""docker-compose.yml runs every service with settings the service actually reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

from shared.platform import service_spec
from shared.settings import SERVICE_SETTINGS, KafkaSettings, PlatformSettings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
INIT_SQL = ROOT / "deploy" / "postgres" / "init" / "01-databases.sql"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def _command(container: dict[str, Any]) -> list[str]:
    command = container.get("command", [])
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def _service_containers() -> dict[str, tuple[str, dict[str, Any]]]:
    """Platform service name -> (compose container name, container) for `serve <name>`."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for container_name, container in _compose()["services"].items():
        command = _command(container)
        if len(command) >= 2 and command[0] == "serve":
            assert command[1] not in found, f"two containers serve {command[1]!r}"
            found[command[1]] = (container_name, container)
    return found


def _environment(container: dict[str, Any]) -> dict[str, str]:
    env = container.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def _env_names(settings: type[BaseSettings]) -> set[str]:
    """The variables pydantic-settings reads for a class: upper-case prefix + field."""
    prefix = settings.model_config.get("env_prefix") or ""
    return {(prefix + field).upper() for field in settings.model_fields}


def _expand_defaults(value: str) -> str:
    """Compose interpolation, as far as the tests need it: ${VAR:-default} -> default."""
    return re.sub(r"\$\{[A-Z_][A-Z0-9_]*:?-([^}]*)\}", r"\1", value)


def _published_ports(container: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) for every published port."""
    ports: list[tuple[int, int]] = []
    for entry in container.get("ports", []):
        if isinstance(entry, dict):
            ports.append((int(entry["published"]), int(entry["target"])))
        else:
            *_, host, target = str(entry).split("/")[0].split(":")
            ports.append((int(host), int(target)))
    return ports


SERVICES = sorted(SERVICE_SETTINGS)


def test_every_service_has_a_container_that_serves_it() -> None:
    assert sorted(_service_containers()) == SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_every_compose_variable_is_a_setting_the_service_reads(service: str) -> None:
    _, container = _service_containers()[service]
    readable = (
        _env_names(PlatformSettings)
        | _env_names(KafkaSettings)
        | _env_names(SERVICE_SETTINGS[service])
    )
    unknown = sorted(set(_environment(container)) - readable)
    assert not unknown, f"{service}: no setting reads {unknown}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_its_own_database_and_the_broker(service: str) -> None:
    _, container = _service_containers()[service]
    env = _environment(container)
    url_variable = f"{service.upper()}_DATABASE_URL"
    assert url_variable in env, f"{service} sets no {url_variable}"
    url = urlsplit(_expand_defaults(env[url_variable]))
    assert url.scheme == "postgresql+asyncpg"
    assert url.path == f"/msp_{service}"
    assert env.get("KAFKA_BOOTSTRAP_SERVERS"), f"{service} sets no KAFKA_BOOTSTRAP_SERVERS"
    assert env.get("MSP_MODE") == "distributed"


def test_the_init_script_creates_exactly_the_databases_the_services_use() -> None:
    created = set(
        re.findall(r"CREATE\s+DATABASE\s+\"?(\w+)\"?", INIT_SQL.read_text(), re.IGNORECASE)
    )
    used = {
        urlsplit(
            _expand_defaults(_environment(container).get(f"{service.upper()}_DATABASE_URL", ""))
        ).path.lstrip("/")
        for service, (_, container) in _service_containers().items()
    }
    vaults = {
        urlsplit(_expand_defaults(env["MSP_VAULT_URL"])).path.lstrip("/")
        for _, container in _service_containers().values()
        if "MSP_VAULT_URL" in (env := _environment(container))
    }
    assert created == used | vaults == {f"msp_{service}" for service in SERVICES} | {"msp_vault"}


def test_the_services_that_reveal_personal_data_share_the_key_vault() -> None:
    vaults = {
        service: _expand_defaults(env["MSP_VAULT_URL"])
        for service, (_, container) in _service_containers().items()
        if "MSP_VAULT_URL" in (env := _environment(container))
    }
    assert sorted(vaults) == sorted(name for name in SERVICES if service_spec(name).personal_data)
    assert len(set(vaults.values())) == 1


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_publishes_its_default_port(service: str) -> None:
    _, container = _service_containers()[service]
    default = SERVICE_SETTINGS[service].default_port
    assert _published_ports(container) == [(default, default)]
    port = _environment(container).get(f"{service.upper()}_PORT")
    assert port is None or int(port) == default
    probe = " ".join(_command({"command": container.get("healthcheck", {}).get("test", [])}))
    assert set(re.findall(r"127\.0\.0\.1:(\d+)", probe)) <= {str(default)}
