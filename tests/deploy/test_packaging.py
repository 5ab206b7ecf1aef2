"""Static checks of the packaging (no container engine or Kubernetes cluster is used here).

- deploy/compose.yml against the Compose Specification's JSON schema (vendored, deploy/schemas/),
  plus what the schema cannot know: every ``${VAR}`` of endpoints.production.yml is set for the
  Rasa services (Rasa refuses to start otherwise), pinned images, only nginx published;
- deploy/helm/*.yaml against the ``values.schema.json`` of RasaHQ's charts (vendored), and every key
  exists in the chart's own values.yaml (a misspelt key would be ignored silently by Helm);
- deploy/docker/Dockerfile, parsed with dockerfile-parse: pinned base images, non-root USER,
  the model baked in, an entrypoint that exists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SCHEMAS = DEPLOY / "schemas"
ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _schema(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- compose
@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _yaml(DEPLOY / "compose.yml")


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = _schema(SCHEMAS / "compose-spec.json")
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=str)
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_the_compose_schema_check_catches_a_broken_file(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["rasa-1"]["restart_policy"] = "always"  # not a compose key
    schema = _schema(SCHEMAS / "compose-spec.json")
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def _service_env(compose: dict[str, Any], name: str) -> set[str]:
    service = compose["services"][name]
    names = set(service.get("environment") or {})
    for env_file in service.get("env_file") or []:
        example = DEPLOY / (str(env_file) + ".example")
        for line in example.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "=" in line:
                names.add(line.split("=", 1)[0])
    return names


def test_every_variable_of_the_production_endpoints_is_set_for_rasa(compose: dict[str, Any]) -> None:
    needed = set(ENV_VAR.findall((ROOT / "endpoints.production.yml").read_text(encoding="utf-8")))
    needed |= {"RASA_JWT_SECRET", "RASA_CORS", "SOCKETIO_REDIS_URL"}  # entrypoint and channel
    assert needed
    for name in ("rasa-1", "rasa-2"):
        assert needed - _service_env(compose, name) == set(), name


def test_compose_images_are_pinned_and_only_nginx_is_published(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: {image} is not pinned"
        if name != "nginx":
            assert "ports" not in service, f"{name} must stay on the internal network"
    nginx = compose["services"]["nginx"]
    mounted = [v.split(":")[0] for v in nginx["volumes"]]
    assert all((DEPLOY / m).exists() for m in mounted)
    assert compose["services"]["rasa-1"]["environment"]["ACTION_SERVER_URL"].startswith("http://nginx:8081/")


# ---------------------------------------------------------------- helm
HELM = [
    ("rasa-values.yaml", "helm-rasa"),
    ("rasa-action-server-values.yaml", "helm-rasa-action-server"),
]


def _key_paths(value: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Paths of mapping keys; lists and free-form maps (annotations, env) end the walk."""
    paths: set[tuple[str, ...]] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = (*prefix, str(key))
            paths.add(path)
            paths |= _key_paths(item, path)
    return paths


# Maps the charts leave open (``{}`` or ``[]`` defaults) where any key is allowed.
FREE_FORM = {"annotations", "podSecurityContext", "securityContext", "resources", "requests", "limits",
             "capabilities", "httpGet", "rollingUpdate", "external", "models", "lockStore", "trackerStore",
             "eventBroker"}


@pytest.mark.parametrize("values_file, chart", HELM)
def test_helm_values_match_the_charts_schema(values_file: str, chart: str) -> None:
    values = _yaml(DEPLOY / "helm" / values_file)
    schema = _schema(SCHEMAS / chart / "values.schema.json")
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(values), key=str)
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


@pytest.mark.parametrize("values_file, chart", HELM)
def test_helm_values_use_only_keys_the_chart_knows(values_file: str, chart: str) -> None:
    ours = _key_paths(_yaml(DEPLOY / "helm" / values_file))
    known = _key_paths(_yaml(SCHEMAS / chart / "values.yaml"))
    unknown = {
        path for path in ours
        if path not in known and not any(part in FREE_FORM for part in path[:-1])
    }
    assert sorted(unknown) == []


def test_helm_rasa_values_set_every_variable_of_the_production_endpoints() -> None:
    values = _yaml(DEPLOY / "helm/rasa-values.yaml")
    names = {item["name"] for item in values["extraEnv"]}
    needed = set(ENV_VAR.findall((ROOT / "endpoints.production.yml").read_text(encoding="utf-8")))
    assert needed | {"RASA_JWT_SECRET", "RASA_CORS", "SOCKETIO_REDIS_URL"} <= names
    assert values["podSecurityContext"]["runAsNonRoot"] is True


# ---------------------------------------------------------------- Dockerfile
@pytest.fixture(scope="module")
def dockerfile() -> Any:
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(path=str(DEPLOY / "docker/Dockerfile"))
    return parser


def test_dockerfile_base_images_are_pinned(dockerfile: Any) -> None:
    bases = [i["value"].split()[0] for i in dockerfile.structure if i["instruction"] == "FROM"]
    assert bases
    for base in bases:
        name, _, tag = base.partition(":")
        pinned = "@sha256:" in base or bool(re.fullmatch(r"\d+\.\d+\.\d+[\w.-]*", tag))
        assert pinned, f"FROM {base}: pin a full version or a digest"


def test_dockerfile_runs_as_a_non_root_user(dockerfile: Any) -> None:
    final_stage = [i for i in dockerfile.structure][
        max(n for n, i in enumerate(dockerfile.structure) if i["instruction"] == "FROM"):
    ]
    users = [i["value"].strip() for i in final_stage if i["instruction"] == "USER"]
    assert users, "the final stage sets no USER (it would run as root)"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_dockerfile_bakes_in_the_model_and_has_its_entrypoint(dockerfile: Any) -> None:
    runs = " ".join(i["value"] for i in dockerfile.structure if i["instruction"] == "RUN")
    assert "models/gemeente.tar.gz" in runs  # the build fails without a trained model
    entrypoint = json.loads(
        next(i["value"] for i in dockerfile.structure if i["instruction"] == "ENTRYPOINT")
    )
    assert (ROOT / entrypoint[0].removeprefix("/app/")).exists()
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "models" not in ignored and ".venv" in ignored
