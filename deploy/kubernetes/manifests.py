#!/usr/bin/env python3
"""Generates and checks the Kubernetes manifests without a cluster (docs/deployment.md).

    manifests.py topics   regenerate the files derived from deploy/topics.conf
    manifests.py check    what `make deploy-check` runs:
                          - the generated files match deploy/topics.conf;
                          - every overlay renders with `kubectl kustomize`;
                          - every rendered core resource validates against the Kubernetes
                            OpenAPI schemas (kubernetes-validate, strict: unknown fields fail)
                            for the oldest and newest Kubernetes versions we support;
                          - every custom resource (Strimzi, CloudNativePG, Prometheus Operator)
                            validates against the structural schema in schemas/ for its kind;
                          - references hold: Secrets and ConfigMaps the pods use exist or are
                            made by an operator from a rendered resource, selectors select pods,
                            probes name container ports, and every OMS_* variable set is one
                            docs/configuration.md documents;
                          - the Dockerfile passes hadolint.

Tools come from deploy/kubernetes/requirements.txt, installed into .state/venv by
`deploy/local/stack.sh pyenv`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TOPICS_CONF = ROOT / "deploy" / "topics.conf"
GENERATED_TOPICS = HERE / "infra" / "kafka" / "topics.yaml"
GENERATED_JOB_SCRIPT = HERE / "components" / "topics-job" / "create-topics.sh"
OVERLAYS = ["dev", "prod", "external"]
# components no overlay includes by default, rendered on top of an overlay to check them too
VARIANTS = [("prod", "lag-autoscaling")]
# the oldest Kubernetes minor version the manifests promise to work on, and the newest one
# kubernetes-validate knows
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
DOC = ROOT / "docs" / "configuration.md"

GENERATED_HEADER = "# GENERATED from deploy/topics.conf by deploy/kubernetes/manifests.py topics; do not edit.\n"


# ---------------------------------------------------------------- topics.conf


class Topic:
    def __init__(self, name: str, partitions: int, local: int, replicas: int, min_insync: int):
        self.name = name
        self.partitions = partitions
        self.local = local
        self.replicas = replicas
        self.min_insync = min_insync

    def __repr__(self) -> str:
        return f"Topic({self.name}, {self.partitions}, {self.local}, {self.replicas}, {self.min_insync})"


def parse_topics(text: str) -> list[Topic]:
    """Rows of topics.conf: topic, partitions, local, replicas, min.insync.replicas."""
    topics = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 5:
            raise ValueError(f"topics.conf:{number}: expected 5 columns, got {len(fields)}: {line!r}")
        name = fields[0]
        try:
            partitions, local, replicas, min_insync = (int(f) for f in fields[1:])
        except ValueError:
            raise ValueError(f"topics.conf:{number}: counts must be integers: {line!r}") from None
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", name):
            raise ValueError(f"topics.conf:{number}: {name!r} is not a valid topic and resource name")
        if min(partitions, local, replicas, min_insync) < 1:
            raise ValueError(f"topics.conf:{number}: counts must be at least 1")
        if min_insync > replicas:
            raise ValueError(f"topics.conf:{number}: min.insync.replicas {min_insync} > replicas {replicas}")
        if min_insync == replicas:
            # acks=all would then stop every write as soon as one replica is down
            print(f"warning: topics.conf:{number}: {name} tolerates no replica outage", file=sys.stderr)
        topics.append(Topic(name, partitions, local, replicas, min_insync))
    names = [t.name for t in topics]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"topics.conf: duplicate topics {sorted(duplicates)}")
    return topics


def kafka_topics_yaml(topics: list[Topic]) -> str:
    docs = []
    for t in topics:
        docs.append(
            {
                "apiVersion": "kafka.strimzi.io/v1",
                "kind": "KafkaTopic",
                "metadata": {"name": t.name, "labels": {"strimzi.io/cluster": "oms-kafka"}},
                "spec": {
                    "partitions": t.partitions,
                    "replicas": t.replicas,
                    "config": {"min.insync.replicas": t.min_insync},
                },
            }
        )
    body = "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in docs)
    return GENERATED_HEADER + body


def create_topics_script(topics: list[Topic]) -> str:
    lines = [
        "#!/bin/sh",
        GENERATED_HEADER.strip(),
        "# Creates every topic with its production counts on a Kafka cluster that no operator manages;",
        "# existing topics are left alone. BOOTSTRAP and /etc/kafka-client/client.properties come from",
        "# the Job (components/topics-job).",
        "set -eu",
        'create() { /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" \\',
        "  --command-config /etc/kafka-client/client.properties --create --if-not-exists \\",
        '  --topic "$1" --partitions "$2" --replication-factor "$3" --config "min.insync.replicas=$4"; }',
    ]
    for t in topics:
        lines.append(f"create {t.name} {t.partitions} {t.replicas} {t.min_insync}")
    return "\n".join(lines) + "\n"


def generated_files() -> dict[Path, str]:
    topics = parse_topics(TOPICS_CONF.read_text())
    return {GENERATED_TOPICS: kafka_topics_yaml(topics), GENERATED_JOB_SCRIPT: create_topics_script(topics)}


def cmd_topics() -> int:
    for path, text in generated_files().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


# ---------------------------------------------------------------- rendering and validation


def tool(name: str) -> str:
    """A tool from the venv this interpreter runs in, else from PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: run `deploy/local/stack.sh pyenv` (deploy/kubernetes/requirements.txt)")
    return found


def render(overlay: str, component: str | None = None) -> list[dict]:
    """`kubectl kustomize` of an overlay, optionally with one more component on top."""
    if component is None:
        return kustomize(HERE / "overlays" / overlay)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "kustomization.yaml").write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "kustomize.config.k8s.io/v1beta1",
                    "kind": "Kustomization",
                    # kustomize takes relative paths only
                    "resources": [os.path.relpath(HERE / "overlays" / overlay, tmp)],
                    "components": [os.path.relpath(HERE / "components" / component, tmp)],
                }
            )
        )
        return kustomize(Path(tmp), "--load-restrictor", "LoadRestrictionsNone")


def kustomize(path: Path, *flags: str) -> list[dict]:
    out = subprocess.run(
        [tool("kubectl"), "kustomize", *flags, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def crd_schemas() -> dict[tuple[str, str], object]:
    """Validators of the custom resources' kinds, from schemas/*.yaml (common.yaml: shared
    definitions, referenced as `common#/$defs/...`)."""
    import jsonschema
    from referencing import Registry, Resource

    folder = HERE / "schemas"
    registry = Registry().with_resource(
        "common", Resource.from_contents(yaml.safe_load((folder / "common.yaml").read_text()))
    )
    validators = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "common.yaml":
            continue
        schema = yaml.safe_load(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        key = (schema["x-api-version"], schema["x-kind"])
        validators[key] = jsonschema.Draft202012Validator(schema, registry=registry)
    return validators


def name_of(doc: dict) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def validate_documents(docs: list[dict], schemas: dict) -> list[str]:
    import kubernetes_validate

    errors = []
    for doc in docs:
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in schemas:
            validator = schemas[key]
            for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
                path = ".".join(str(p) for p in error.path)
                errors.append(f"{name_of(doc)}: {path}: {error.message}")
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                errors.append(f"{name_of(doc)}: no schema for {key[0]} {key[1]} (add one to schemas/)")
                break
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(p) for p in error.path)
                errors.append(f"{name_of(doc)} (Kubernetes {version}): {path}: {error.message}")
    return errors


def pod_specs(doc: dict) -> list[dict]:
    kind = doc.get("kind")
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return [doc["spec"]["template"]["spec"]]
    if kind == "CronJob":
        return [doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    return []


def operator_made_secrets(docs: list[dict]) -> set[str]:
    """Secrets an operator creates from a rendered resource."""
    made = set()
    for doc in docs:
        name = doc.get("metadata", {}).get("name")
        if doc.get("kind") == "KafkaUser":
            made.add(name)
        elif doc.get("kind") == "Kafka":
            made |= {f"{name}-cluster-ca-cert", f"{name}-clients-ca-cert"}
        elif doc.get("kind") == "Cluster" and doc.get("apiVersion", "").startswith("postgresql.cnpg.io/"):
            made |= {f"{name}-app", f"{name}-ca", f"{name}-superuser"}
    return made


def documented_variables() -> list[str]:
    names = []
    for line in DOC.read_text().splitlines():
        if line.lstrip().startswith("|"):
            cell = line.lstrip().lstrip("|").split("|", 1)[0]
            names += [m for m in re.findall(r"`([A-Z][A-Z0-9_<>]*)`", cell)]
    return names


def documented(name: str, patterns: list[str]) -> bool:
    parts = name.split("__")
    for pattern in patterns:
        p = pattern.split("__")
        if len(p) == len(parts) and all(a == b or (a.startswith("<") and a.endswith(">")) for a, b in zip(p, parts)):
            return True
    return False


def env_file_names(doc: dict) -> list[str]:
    """Variable names a ConfigMap made from an env file carries."""
    return list((doc.get("data") or {}).keys())


def check_references(docs: list[dict], external_secrets: set[str]) -> list[str]:
    errors = []
    config_maps = {d["metadata"]["name"] for d in docs if d.get("kind") == "ConfigMap"}
    secrets = {d["metadata"]["name"] for d in docs if d.get("kind") == "Secret"}
    secrets |= operator_made_secrets(docs) | external_secrets
    patterns = documented_variables()

    def need_secret(owner: str, name: str, optional: bool) -> None:
        if not optional and name not in secrets:
            errors.append(f"{owner}: Secret {name} is neither rendered, made by an operator, nor listed as external")

    def need_config_map(owner: str, name: str, optional: bool) -> None:
        if not optional and name not in config_maps:
            errors.append(f"{owner}: ConfigMap {name} is not rendered")

    def need_documented(owner: str, var: str) -> None:
        if var.startswith("OMS_") and not documented(var, patterns):
            errors.append(f"{owner}: {var} is not a documented key (docs/configuration.md)")

    for doc in docs:
        owner = name_of(doc)
        if doc.get("kind") == "ConfigMap":
            for var in env_file_names(doc):
                need_documented(owner, var)
        for spec in pod_specs(doc):
            for volume in spec.get("volumes", []):
                if "secret" in volume:
                    need_secret(owner, volume["secret"]["secretName"], volume["secret"].get("optional", False))
                if "configMap" in volume:
                    need_config_map(owner, volume["configMap"]["name"], volume["configMap"].get("optional", False))
            for container in spec.get("initContainers", []) + spec.get("containers", []):
                where = f"{owner} container {container['name']}"
                ports = {p.get("name") for p in container.get("ports", [])}
                for source in container.get("envFrom", []):
                    if "secretRef" in source:
                        need_secret(where, source["secretRef"]["name"], source["secretRef"].get("optional", False))
                    if "configMapRef" in source:
                        need_config_map(where, source["configMapRef"]["name"], source["configMapRef"].get("optional", False))
                for var in container.get("env", []):
                    need_documented(where, var["name"])
                    ref = (var.get("valueFrom") or {}).get("secretKeyRef")
                    if ref:
                        need_secret(where, ref["name"], ref.get("optional", False))
                for probe_name in ("startupProbe", "livenessProbe", "readinessProbe"):
                    port = ((container.get(probe_name) or {}).get("httpGet") or {}).get("port")
                    if isinstance(port, str) and port not in ports:
                        errors.append(f"{where}: {probe_name} names port {port!r}, which the container does not declare")

    pods = [
        (d, d["spec"]["template"]["metadata"].get("labels", {}))
        for d in docs
        if d.get("kind") in ("Deployment", "StatefulSet")
    ]
    for doc in docs:
        kind = doc.get("kind")
        selector = None
        if kind == "Service":
            selector = doc["spec"].get("selector")
        elif kind == "PodDisruptionBudget":
            selector = doc["spec"]["selector"].get("matchLabels")
        if selector is not None:
            if not any(all(labels.get(k) == v for k, v in selector.items()) for _, labels in pods):
                errors.append(f"{name_of(doc)}: selector {selector} selects no pod template")
        if kind == "HorizontalPodAutoscaler":
            target = doc["spec"]["scaleTargetRef"]
            if not any(d.get("kind") == target["kind"] and d["metadata"]["name"] == target["name"] for d, _ in pods):
                errors.append(f"{name_of(doc)}: scales {target['kind']}/{target['name']}, which is not rendered")
    return errors


def external_secrets(overlay: str) -> set[str]:
    """Secrets an overlay expects to exist in the cluster, from its external-secrets.txt."""
    path = HERE / "overlays" / overlay / "external-secrets.txt"
    if not path.exists():
        return set()
    return {line.split("#", 1)[0].strip() for line in path.read_text().splitlines()} - {""}


def check_overlay(overlay: str, schemas: dict, component: str | None = None) -> list[str]:
    label = f"overlays/{overlay}" + (f" + components/{component}" if component else "")
    try:
        docs = render(overlay, component)
    except subprocess.CalledProcessError as error:
        return [f"{label} does not render: {error.stderr.strip()}"]
    errors = validate_documents(docs, schemas)
    errors += check_references(docs, external_secrets(overlay))
    names = [name_of(d) for d in docs]
    errors += [f"{n} is rendered twice" for n in sorted({n for n in names if names.count(n) > 1})]
    kinds = sorted({d["kind"] for d in docs})
    print(f"{label}: {len(docs)} resources ({', '.join(kinds)}), {len(errors)} problems")
    return [f"{label}: {e}" for e in errors]


def check_generated() -> list[str]:
    errors = []
    for path, text in generated_files().items():
        if not path.exists() or path.read_text() != text:
            errors.append(
                f"{path.relative_to(ROOT)} is out of date with deploy/topics.conf: run `python deploy/kubernetes/manifests.py topics`"
            )
    return errors


def check_dockerfile() -> list[str]:
    result = subprocess.run(
        [tool("hadolint"), "--config", str(ROOT / ".hadolint.yaml"), str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
    )
    print(f"Dockerfile: hadolint exit {result.returncode}")
    if result.returncode != 0:
        return [f"hadolint: {line}" for line in (result.stdout + result.stderr).splitlines()]
    return []


def cmd_check() -> int:
    errors = check_generated()
    schemas = crd_schemas()
    for overlay in OVERLAYS:
        errors += check_overlay(overlay, schemas)
    for overlay, component in VARIANTS:
        errors += check_overlay(overlay, schemas, component)
    errors += check_dockerfile()
    for error in errors:
        print(f"FAIL {error}")
    print(f"deploy-check: {len(errors)} problems")
    return 1 if errors else 0


def main(argv: list[str]) -> int:
    if argv[1:] == ["topics"]:
        return cmd_topics()
    if argv[1:] == ["check"]:
        return cmd_check()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
