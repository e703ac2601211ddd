"""The seams between the apps: the import contracts hold, and no import hides inside a function."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["portal", "trainings", "verkenning", "werkplaats", "signalen", "dashboard", "demo"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Django's documented place for start-up wiring: AppConfig.ready imports the modules that
# register receivers and reminder renderers once every app is loaded.
ALLOWED_FUNCTION_IMPORTS = {"ready"}


def _source_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _imports_inside_functions(path: Path, root: Path = ROOT) -> list[str]:
    found = []

    def visit(node, function: str | None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                if function is not None and function not in ALLOWED_FUNCTION_IMPORTS:
                    found.append(f"{path.relative_to(root)}:{child.lineno} in {function}()")
            else:
                visit(child, function)

    visit(ast.parse(path.read_text(), filename=str(path)), None)
    return found


def test_no_module_imports_inside_a_function_to_dodge_a_cycle():
    offenders = [hit for path in _source_files() for hit in _imports_inside_functions(path)]
    assert offenders == []


def test_the_function_import_check_sees_a_hidden_import(tmp_path):
    module = tmp_path / "hidden.py"
    module.write_text(
        "from portal import services\n\n"
        "def send():\n    from portal.tasks import send_reminder\n\n"
        "class Config:\n    def ready(self):\n        from . import receivers\n"
    )
    assert _imports_inside_functions(module, root=tmp_path) == ["hidden.py:4 in send()"]


def _copy_tree(target: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for package in PACKAGES:
        if (ROOT / package).is_dir():
            shutil.copytree(
                ROOT / package,
                target / package,
                ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "locale"),
            )


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is part of the dev extra")
def test_a_forbidden_import_breaks_the_contracts(tmp_path):
    _copy_tree(tmp_path)
    assert _lint_imports(tmp_path).returncode == 0
    # The kernel reaching up into an app is the first thing the contracts forbid.
    views = tmp_path / "portal" / "views.py"
    views.write_text(views.read_text() + "\nfrom trainings import selectors  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "portal is not allowed to import trainings" in result.stdout
