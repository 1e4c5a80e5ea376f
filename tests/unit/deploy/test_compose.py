"""The production shape (docker-compose.yml + deploy/Dockerfile) agrees with the code.

Docker is not needed: the files are parsed and checked against the settings classes, the topic
list and the package layout, so renaming a setting, adding a topic or a top-level package without
updating the deployment fails here.
"""

import ast
import importlib
import importlib.util
import json
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

from shared.contracts.events import ALL_TOPICS
from shared.contracts.tiers import TIER_ORDER, Tier

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"

TIERS = [tier.value for tier in TIER_ORDER]
REQUIRED_TIER_ENV = {
    "DATABASE_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "TEMPORAL_ADDRESS",
    "ENVIRONMENT",
    "HTTP_PORT",
}
WORKER_MODULE = "workflows.worker"


# --- helpers -------------------------------------------------------------------------------------

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_VAR = re.compile(rf"\$\$|\$\{{({_NAME})(?:(:?-)([^}}]*))?\}}|\$({_NAME})")


def _interpolate(value: str) -> str:
    """What compose hands the container when the host sets nothing: `${X:-d}` -> d, `$$` -> $."""

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        if m.group(2) is not None:
            return m.group(3)
        raise AssertionError(f"{m.group(0)!r} has no default in docker-compose.yml: its value comes from the host")

    return _VAR.sub(repl, value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        env = dict(pairs)
    return {str(k): _interpolate(_scalar(v)) for k, v in env.items()}


def _argv(value: Any) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):  # short form: only "started"
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _container_ports(service: dict[str, Any]) -> set[int]:
    ports: set[int] = set()
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def _env_names(settings_cls: type[BaseSettings]) -> set[str]:
    """Environment variable names a pydantic-settings class reads (case-insensitive -> upper)."""
    prefix = settings_cls.model_config.get("env_prefix", "") or ""
    names = set()
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias or field.alias
        names.add((alias if isinstance(alias, str) else prefix + name).upper())
    return names


def _tier_settings(tier: str) -> type[BaseSettings]:
    return importlib.import_module(f"services.{tier}.settings").Settings


def _build_settings(
    monkeypatch: pytest.MonkeyPatch, settings_cls: type[BaseSettings], env: dict[str, str]
) -> BaseSettings:
    """Construct settings exactly from `env`, ignoring whatever the test process has set."""
    read = {name.upper() for name in _env_names(settings_cls)}
    for key in list(os.environ):
        if key.upper() in read:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return settings_cls()


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def _copy_sources(args: str) -> list[str]:
    if args.startswith("["):
        parts = json.loads(args)
    else:
        parts = [p for p in shlex.split(args) if not p.startswith("--")]
    return [p.rstrip("/") for p in parts[:-1]]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    with COMPOSE_FILE.open() as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def worker_settings_cls() -> type[BaseSettings]:
    return importlib.import_module(WORKER_MODULE).WorkerSettings


# --- services present ----------------------------------------------------------------------------


def test_tier_services_and_worker_exist(services: dict[str, Any]) -> None:
    assert {tier.value for tier in Tier} == set(TIERS)
    missing = {*TIERS, "worker"} - set(services)
    assert not missing, f"docker-compose.yml lacks services {sorted(missing)}"


def test_depends_on_names_services_and_healthy_ones_have_healthchecks(
    services: dict[str, Any],
) -> None:
    for name, service in services.items():
        for dep, condition in _depends_on(service).items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), (
                    f"{name} waits for {dep} to be healthy but {dep} has no healthcheck"
                )


def test_app_processes_are_configured_only_by_environment(services: dict[str, Any]) -> None:
    for name in [*TIERS, "worker"]:
        service = services[name]
        for key in ("env_file", "configs", "secrets", "volumes"):
            assert key not in service, f"{name} must be configured by environment only (has {key})"


# --- tier services -------------------------------------------------------------------------------


@pytest.mark.parametrize("tier", TIERS)
def test_tier_environment_keys_are_settings_fields(tier: str, services: dict[str, Any]) -> None:
    env = _environment(services[tier])
    settings_cls = _tier_settings(tier)
    fields = _env_names(settings_cls) - {"TIER"}
    unknown = set(env) - fields
    assert not unknown, f"{tier}: {sorted(unknown)} are not fields of services.{tier}.Settings"
    assert "TIER" not in env, f"{tier}: the tier is fixed by the Settings class, not by env"
    missing = REQUIRED_TIER_ENV - set(env)
    assert not missing, f"{tier}: required settings {sorted(missing)} are not set"
    assert env["ENVIRONMENT"] == "production"
    assert env.get("HTTP_HOST") == "0.0.0.0", f"{tier} must listen on all interfaces"


@pytest.mark.parametrize("tier", TIERS)
def test_tier_settings_build_from_compose_environment(
    tier: str, services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = services[tier]
    env = _environment(service)
    settings = _build_settings(monkeypatch, _tier_settings(tier), env)

    assert settings.tier == Tier(tier)
    assert settings.environment == "production"
    assert settings.database_url == env["DATABASE_URL"]
    assert settings.kafka_bootstrap_servers == env["KAFKA_BOOTSTRAP_SERVERS"]
    assert settings.temporal_address == env["TEMPORAL_ADDRESS"]
    assert settings.http_port == int(env["HTTP_PORT"])

    assert settings.http_port in _container_ports(service), (
        f"{tier} listens on {settings.http_port} but publishes {_container_ports(service)}"
    )
    health = " ".join(_argv((service.get("healthcheck") or {}).get("test")))
    urls = re.findall(r"https?://[^'\"\s]+", health)
    assert urls, f"{tier} has no HTTP healthcheck"
    for url in urls:
        parts = urlsplit(url)
        assert parts.port == settings.http_port, f"{tier} healthcheck probes {url}"
        assert parts.path == "/health"
    assert "urllib.request" in health, "the slim image has no curl: probe with python"


def test_tier_ports_are_distinct(services: dict[str, Any]) -> None:
    ports = [int(_environment(services[tier])["HTTP_PORT"]) for tier in TIERS]
    assert len(set(ports)) == len(ports), f"tier services share ports: {ports}"


@pytest.mark.parametrize("tier", TIERS)
def test_tier_has_its_own_postgres(tier: str, services: dict[str, Any]) -> None:
    service = services[tier]
    db_name = f"{tier}-db"
    assert db_name in services, f"{tier} has no {db_name} service"
    db = services[db_name]
    assert str(db.get("image", "")).startswith("postgres:"), f"{db_name} is not PostgreSQL"
    assert "pg_isready" in " ".join(_argv((db.get("healthcheck") or {}).get("test")))
    assert db.get("volumes"), f"{db_name} keeps its data in no volume"

    assert _depends_on(service).get(db_name) == "service_healthy", f"{tier} must wait for {db_name} to be healthy"

    url = make_url(_environment(service)["DATABASE_URL"])
    db_env = _environment(db)
    assert url.drivername == "postgresql+asyncpg"
    assert url.host == db_name, f"{tier} uses database host {url.host}, not its own {db_name}"
    assert (url.port or 5432) == 5432
    assert url.database == db_env["POSTGRES_DB"]
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]


def test_no_two_tiers_share_a_database(services: dict[str, Any]) -> None:
    hosts = [make_url(_environment(services[t])["DATABASE_URL"]).host for t in TIERS]
    assert len(set(hosts)) == len(hosts), f"tiers share database servers: {hosts}"


@pytest.mark.parametrize("tier", TIERS)
def test_tier_waits_for_kafka_topics_and_temporal(tier: str, services: dict[str, Any]) -> None:
    deps = _depends_on(services[tier])
    assert deps.get("kafka-init") == "service_completed_successfully"
    assert deps.get("temporal") == "service_healthy"


@pytest.mark.parametrize("tier", TIERS)
def test_tier_reaches_kafka_and_temporal_in_compose(tier: str, services: dict[str, Any]) -> None:
    env = _environment(services[tier])
    advertised = _environment(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"]
    for server in env["KAFKA_BOOTSTRAP_SERVERS"].split(","):
        host = server.strip().rsplit(":", 1)[0]
        assert host in services, f"{tier}: bootstrap server {server} is no compose service"
        assert f"//{server.strip()}" in advertised, f"kafka does not advertise {server}"
    temporal_host, _, temporal_port = env["TEMPORAL_ADDRESS"].rpartition(":")
    assert temporal_host in services and temporal_port == "7233"


@pytest.mark.parametrize("tier", TIERS)
def test_tier_command_runs_its_module(tier: str, services: dict[str, Any]) -> None:
    assert _argv(services[tier].get("command")) == ["python", "-m", f"services.{tier}"]
    assert importlib.util.find_spec(f"services.{tier}.__main__") is not None


# --- worker --------------------------------------------------------------------------------------


def test_worker_environment_keys_are_worker_settings_fields(
    services: dict[str, Any],
    worker_settings_cls: type[BaseSettings],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker = services["worker"]
    env = _environment(worker)
    unknown = set(env) - _env_names(worker_settings_cls)
    assert not unknown, f"worker: {sorted(unknown)} are not fields of WorkerSettings"
    assert "TEMPORAL_ADDRESS" in env

    settings = _build_settings(monkeypatch, worker_settings_cls, env)
    assert settings.temporal_address == env["TEMPORAL_ADDRESS"]
    temporal_host = env["TEMPORAL_ADDRESS"].rpartition(":")[0]
    assert temporal_host in services
    assert _depends_on(worker).get(temporal_host) == "service_healthy"


def test_worker_command_runs_the_worker_module(services: dict[str, Any]) -> None:
    assert _argv(services["worker"].get("command")) == ["python", "-m", WORKER_MODULE]
    assert importlib.util.find_spec(WORKER_MODULE) is not None


# --- infrastructure ------------------------------------------------------------------------------


def test_kafka_runs_kraft_single_node(services: dict[str, Any]) -> None:
    kafka = services["kafka"]
    env = _environment(kafka)
    assert str(kafka["image"]).startswith("apache/kafka:")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any(k.startswith("KAFKA_ZOOKEEPER") for k in env)
    assert "kafka-broker-api-versions.sh" in " ".join(_argv(kafka["healthcheck"]["test"]))


def test_kafka_init_creates_exactly_the_event_topics(services: dict[str, Any]) -> None:
    init = services["kafka-init"]
    assert _depends_on(init).get("kafka") == "service_healthy"
    script = "\n".join(_argv(init.get("entrypoint")) + _argv(init.get("command")))
    creates = [line for line in script.splitlines() if "kafka-topics.sh" in line and "--create" in line]
    topics = []
    for line in creates:
        args = shlex.split(line)
        topics.append(args[args.index("--topic") + 1])
        assert args[args.index("--partitions") + 1] == "12", line
        assert "--if-not-exists" in args, line
    assert sorted(topics) == sorted(ALL_TOPICS)


def test_temporal_uses_postgres_and_has_healthcheck(services: dict[str, Any]) -> None:
    temporal = services["temporal"]
    env = _environment(temporal)
    assert str(temporal["image"]).startswith("temporalio/auto-setup:")
    assert env["DB"] == "postgres12"
    assert env["POSTGRES_SEEDS"] in services
    db_env = _environment(services[env["POSTGRES_SEEDS"]])
    assert env["POSTGRES_USER"] == db_env["POSTGRES_USER"]
    assert env["POSTGRES_PWD"] == db_env["POSTGRES_PASSWORD"]
    assert _depends_on(temporal).get(env["POSTGRES_SEEDS"]) == "service_healthy"
    assert "health" in " ".join(_argv(temporal["healthcheck"]["test"]))


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes") or []:
            source = volume["source"] if isinstance(volume, dict) else str(volume).split(":")[0]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} uses undeclared volume {source}"


# --- image ---------------------------------------------------------------------------------------


def _project_packages() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])


def _local_imports(packages: set[str]) -> set[str]:
    """Top-level names imported by the packages' code that are directories of this repository."""
    found: set[str] = set()
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if (ROOT / top).is_dir():
                        found.add(top)
    return found


def test_dockerfile_copies_every_package_the_code_imports() -> None:
    instructions = _dockerfile_instructions()
    copied = {src for kw, args in instructions if kw == "COPY" for src in _copy_sources(args)}

    packages = _project_packages()
    assert {"shared", "services", "workflows", "deploy"} <= packages
    required = packages | _local_imports(packages)
    missing = required - copied
    assert not missing, f"deploy/Dockerfile does not copy {sorted(missing)}"
    assert {"pyproject.toml", "uv.lock", "README.md"} <= copied

    # The project is installed after all of its sources are in place, from the lock, without dev.
    last_copy = max(i for i, (kw, _) in enumerate(instructions) if kw == "COPY")
    syncs = [(i, args) for i, (kw, args) in enumerate(instructions) if kw == "RUN" and "uv sync" in args]
    assert syncs and syncs[-1][0] > last_copy
    for _, args in syncs:
        assert "--frozen" in args and "--no-dev" in args, args
    assert "--no-install-project" not in syncs[-1][1]


def test_dockerfile_image_shape() -> None:
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")

    makefile_uv = re.search(r"^UV_VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert makefile_uv, "Makefile no longer pins UV_VERSION"
    runs = " ".join(args for kw, args in instructions if kw == "RUN")
    assert f"uv=={makefile_uv.group(1)}" in runs, "the image's uv differs from the Makefile's"

    users = [args for kw, args in instructions if kw == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}, "the image must run as non-root"
    assert not any(kw in {"CMD", "ENTRYPOINT"} for kw, _ in instructions)

    # Compose runs plain `python`: it must be the locked venv's interpreter.
    env_text = " ".join(args for kw, args in instructions if kw == "ENV")
    workdir = [args for kw, args in instructions if kw == "WORKDIR"][-1]
    venv = re.search(r"UV_PROJECT_ENVIRONMENT=(\S+)", env_text)
    venv_dir = venv.group(1) if venv else f"{workdir}/.venv"
    assert re.search(rf'PATH="?{re.escape(venv_dir)}/bin:', env_text), "venv bin is not on PATH"


def test_app_services_run_the_one_image(services: dict[str, Any]) -> None:
    images = set()
    for name in [*TIERS, "worker"]:
        service = services[name]
        build = service.get("build")
        assert isinstance(build, dict), f"{name} is not built from deploy/Dockerfile"
        assert (ROOT / build.get("context", ".") / build["dockerfile"]).resolve() == DOCKERFILE
        images.add(service.get("image"))
        assert _argv(service.get("command"))[:2] == ["python", "-m"]
    assert len(images) == 1, f"app services name different images: {images}"


# --- the init step and the object store ----------------------------------------------------------


def test_an_init_step_migrates_every_tier_database_and_every_tier_waits_for_it(services: dict[str, Any]) -> None:
    from deploy.init import variable

    init = services["init"]
    assert _argv(init.get("command")) == ["python", "-m", "deploy.init"]
    assert init.get("restart") == "no", "init is a one-shot step"
    env = _environment(init)
    for tier in TIERS:
        assert env[variable(Tier(tier))] == _environment(services[tier])["DATABASE_URL"], (
            f"init prepares another database than the {tier} service uses"
        )
        assert _depends_on(init)[f"{tier}-db"] == "service_healthy"
        assert _depends_on(services[tier])["init"] == "service_completed_successfully"


@pytest.mark.parametrize("tier", TIERS)
def test_documents_go_to_the_compose_object_store(
    tier: str, services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _build_settings(monkeypatch, _tier_settings(tier), _environment(services[tier]))
    assert urlsplit(settings.object_store_url).scheme == "s3", "production keeps documents in S3-compatible storage"
    endpoint = urlsplit(settings.object_store_endpoint or "")
    assert endpoint.hostname in services and services[endpoint.hostname].get("healthcheck"), (
        f"{tier} stores documents at {settings.object_store_endpoint}, which is no service of the file"
    )
    assert settings.object_store_options()["secret_access_key"]
    bucket = urlsplit(settings.object_store_url).netloc
    assert bucket in " ".join(_argv(services["minio-init"].get("command"))), f"no step creates the bucket {bucket}"
    assert _depends_on(services[tier])["minio-init"] == "service_completed_successfully"


@pytest.mark.parametrize("tier", TIERS)
def test_every_tier_knows_every_console_at_its_published_port(
    tier: str, services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _build_settings(monkeypatch, _tier_settings(tier), _environment(services[tier]))
    assert not settings.oidc_enabled, "OIDC is off unless the host sets OIDC_ISSUER and OIDC_CLIENT_ID"
    for other in TIERS:
        url = urlsplit(settings.console_url(Tier(other)) or "")
        assert url.port in _container_ports(services[other]), f"{tier} sends {other}'s officers to {url.geturl()}"
