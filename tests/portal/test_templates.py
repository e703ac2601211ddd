"""Template source rules that a rendered page would otherwise show to its reader."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = sorted(
    path
    for pattern in (
        "templates/**/*.html",
        "templates/**/*.txt",
        "*/templates/**/*.html",
        "*/templates/**/*.txt",
    )
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts
)


def test_the_templates_are_found():
    assert any(path.name == "base.html" for path in TEMPLATE_FILES)


def test_no_comment_tag_spans_lines():
    """Django's {# #} is one line only: a second line would print the comment on the page."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in TEMPLATE_FILES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert offenders == []
