"""Run axe-core in a Playwright page and return its WCAG 2.0/2.1 A and AA violations."""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def violations(page) -> list[dict]:
    """Every WCAG 2.0/2.1 A and AA violation axe finds on the page, whatever its impact."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def serious_violations(page) -> list[dict]:
    """The serious and critical violations only."""
    return [v for v in violations(page) if v["impact"] in BLOCKING]
