"""The Zero to JupyterHub configuration (deploy/jupyterhub/config.yaml), checked without a cluster.

Neither helm nor a Kubernetes cluster runs here, and no installed package ships the chart's
values schema, so the keys are checked against ``CHART_SCHEMA``: an excerpt of the chart's
own ``values.schema.yaml`` (a JSON schema, draft 7, that ``helm`` applies before rendering;
chart versions 3 and 4), copied for every setting the configuration uses, with the same
types, enumerations and ``additionalProperties: false``. A misspelt or misplaced key fails
here as it would fail ``helm upgrade``. The ``required`` lists that the chart's own defaults
satisfy are left out: helm checks the merged values, this test only the instructor's file.

The sizes are checked against the project's measurements: the memory budget of a lesson
(benchmarks/budgets.toml), the Binder image recipe (binder/) and the lessons' folder.
"""

import re
import tomllib

import pytest
import yaml
from jsonschema import Draft7Validator

from conftest import ROOT

FOLDER = ROOT / "deploy" / "jupyterhub"
GiB = 1024**3
# The Jupyter server beside the kernel (about 0.1 GiB measured with JupyterLab open) and a
# terminal: what a learner's pod needs on top of the kernel's peak.
HEADROOM_GIB = 0.25

_NULLABLE_INT = {"type": ["integer", "null"]}
_OBJECT = {"type": "object", "additionalProperties": True}


def _closed(**properties) -> dict:
    """An object that accepts only the given keys, as the chart's schema declares."""
    return {"type": "object", "additionalProperties": False, "properties": properties}


CHART_SCHEMA = _closed(
    custom=_OBJECT,  # free-form by design: values read by people and extra configuration
    hub=_closed(config=_OBJECT),  # traitlets configuration, passed through to JupyterHub
    proxy=_closed(https=_closed(
        enabled={"type": ["boolean", "null"]},
        type={"enum": [None, "", "letsencrypt", "manual", "offload", "secret"]},
        hosts={"type": "array", "items": {"type": "string"}},
        letsencrypt=_closed(contactEmail={"type": ["string", "null"]},
                            acmeServer={"type": ["string", "null"]}),
    )),
    singleuser=_closed(
        image={**_closed(name={"type": "string"}, tag={"type": "string"},
                         pullPolicy={"enum": [None, "", "IfNotPresent", "Always", "Never"]},
                         pullSecrets={"type": "array"}),
               "required": ["name", "tag"]},
        memory=_closed(limit={"type": ["number", "string", "null"]},
                       guarantee={"type": ["number", "string", "null"]}),
        cpu=_closed(limit={"type": ["number", "null"]}, guarantee={"type": ["number", "null"]}),
        defaultUrl={"type": ["string", "null"]},
        storage=_closed(type={"enum": ["dynamic", "static", "none"]},
                        homeMountPath={"type": "string"},
                        capacity={"type": ["string", "null"]}),
        extraFiles={"type": "object", "additionalProperties": False, "patternProperties": {".*": {
            **_closed(mountPath={"type": "string"}, data={"type": "object"},
                      stringData={"type": "string"}, binaryData={"type": "string"},
                      mode={"type": "number"}),
            "required": ["mountPath"],
            "oneOf": [{"required": ["data"]}, {"required": ["stringData"]}, {"required": ["binaryData"]}],
        }}},
    ),
    cull={**_closed(enabled={"type": "boolean"}, users={"type": ["boolean", "null"]},
                    adminUsers={"type": ["boolean", "null"]},
                    removeNamedServers={"type": ["boolean", "null"]}, timeout=_NULLABLE_INT,
                    every=_NULLABLE_INT, concurrency=_NULLABLE_INT, maxAge=_NULLABLE_INT),
          "required": ["enabled"]},
)


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load((FOLDER / "config.yaml").read_text())


def gib(quantity) -> float:
    """A KubeSpawner memory size in GiB: bytes, or a number with K, M, G or T (powers of 1024)."""
    if isinstance(quantity, (int, float)):
        return quantity / GiB
    powers = {"K": 1, "M": 2, "G": 3, "T": 4}
    number, suffix = quantity[:-1], quantity[-1]
    assert suffix in powers, f"{quantity!r}: JupyterHub reads only K, M, G or T (not Gi, which it rejects)"
    return float(number) * 1024 ** powers[suffix] / GiB


def schema_errors(values: dict) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in Draft7Validator(CHART_SCHEMA).iter_errors(values)]


def test_every_key_is_one_the_chart_accepts(config):
    assert schema_errors(config) == []


def test_the_schema_excerpt_catches_a_misspelt_key(config):
    broken = {**config, "singleuser": {**config["singleuser"], "memory": {"limt": "2G"}}}
    assert any("limt" in e for e in schema_errors(broken))
    assert schema_errors({**config, "cull": {"timeout": 3600}})  # enabled is required


def test_memory_holds_a_lesson_at_its_budget(config):
    budget = tomllib.loads((ROOT / "benchmarks" / "budgets.toml").read_text())["notebook"]["peak_gb"]
    memory = config["singleuser"]["memory"]
    limit, guarantee = gib(memory["limit"]), gib(memory["guarantee"])
    assert limit >= budget + HEADROOM_GIB, "the limit must hold the kernel's budget and the server"
    # All learners run the same cell at once, so the scheduler must reserve every one's peak.
    assert budget <= guarantee <= limit


def test_cpu_guarantee_and_limit(config):
    cpu = config["singleuser"]["cpu"]
    assert 0 < cpu["guarantee"] <= cpu["limit"]
    assert cpu["limit"] >= 2, "the lessons' time budgets are measured on 2 cores"


def test_idle_servers_and_kernels_are_culled(config):
    cull = config["cull"]
    assert cull["enabled"] is True and 0 < cull["every"] <= cull["timeout"]
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from traitlets.config import Config

    files = config["singleuser"]["extraFiles"]
    settings = files["kernel-culling"]["data"]
    # jupyter_server ignores an unknown option silently, so check the names first.
    options = MappingKernelManager.class_traits(config=True)
    assert set(settings["MappingKernelManager"]) <= set(options)
    manager = MappingKernelManager(config=Config(settings))  # a wrong type raises here
    assert 0 < manager.cull_idle_timeout <= cull["timeout"]
    assert files["kernel-culling"]["mountPath"].startswith("/etc/jupyter/"), "a folder Jupyter reads"


def test_default_url_opens_the_welcome_lesson(config):
    url = config["singleuser"]["defaultUrl"]
    assert url.startswith("/lab/tree/")
    assert (ROOT / url.removeprefix("/lab/tree/")).is_file()


def test_the_image_is_built_from_the_binder_recipe(config):
    recipe = ROOT / config["custom"]["imageRecipe"]
    for name in ("runtime.txt", "requirements.txt", "postBuild"):
        assert (recipe / name).is_file(), f"{recipe.name}/{name} is missing"
    readme = (FOLDER / "README.md").read_text()
    assert "repo2docker" in readme and f"{recipe.name}/" in readme


def test_the_home_volume_leaves_the_lessons_visible(config):
    # repo2docker copies the repository into the home folder: a volume mounted on the home,
    # or on one of the repository's folders, would hide the lessons.
    mount = config["singleuser"]["storage"]["homeMountPath"]
    assert mount.startswith("/home/jovyan/") and mount.count("/") == 3
    assert not (ROOT / mount.removeprefix("/home/jovyan/")).exists()


def test_every_placeholder_is_explained_in_the_readme():
    placeholders = set(re.findall(r"<[a-z-]+>", (FOLDER / "config.yaml").read_text()))
    assert placeholders, "the image name and tag are placeholders the instructor sets"
    readme = (FOLDER / "README.md").read_text()
    assert {p for p in placeholders if p not in readme} == set()
