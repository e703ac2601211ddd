"""The container stays in step with what CI runs, checked without Docker.

The image holds exactly the packages pyproject.toml lists (the demo never), and the Dockerfile
and docker-compose.yml start every portal process through scripts/portal-run, the script the
production smoke test runs.
"""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEVER_IN_PRODUCTION = {"demo", "tests", "bench"}


def _listed_packages() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return {pattern.rstrip("*") for pattern in patterns}


def _ignored() -> set[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return {line.strip().rstrip("/") for line in lines if line.strip() and line[0] != "#"}


def _script_commands() -> set[str]:
    script = (ROOT / "scripts" / "portal-run").read_text()
    return set(re.findall(r"^    (\w+)\)$", script, re.MULTILINE))


def test_the_image_holds_exactly_the_packages_pyproject_lists():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    listed, ignored = _listed_packages(), _ignored()
    assert listed <= packages, "pyproject.toml lists a package that does not exist"
    assert not listed & ignored, "a listed package is kept out of the image"
    assert packages - listed <= ignored, "a package neither listed nor kept out of the image"
    assert ignored >= NEVER_IN_PRODUCTION
    assert not NEVER_IN_PRODUCTION & listed


def test_the_container_starts_every_process_through_the_script_ci_runs():
    assert {"check", "migrate", "collectstatic", "web", "worker", "beat"} <= _script_commands()
    compose = (ROOT / "docker-compose.yml").read_text()
    commands = re.findall(r"^    command: \[(.*)\]$", compose, re.MULTILINE)
    portal_commands = [c for c in commands if "redis-server" not in c]
    assert sorted(portal_commands) == sorted(
        f'"scripts/portal-run", "{name}"' for name in ("migrate", "web", "worker", "beat")
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["scripts/portal-run", "web"]' in dockerfile
    assert "scripts/portal-run collectstatic" in dockerfile
    assert not re.search(r"\b(gunicorn|celery)\b", re.sub(r"#.*", "", dockerfile))
