"""The Grafana dashboard and the Prometheus alert rules in docs/observability/ load, query only
series askdocs exports, and (with promtool installed) parse and fire as their tests say."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "observability"
DASHBOARD = FOLDER / "askdocs-dashboard.json"
ALERTS = FOLDER / "askdocs-alerts.yml"
ALERT_TESTS = FOLDER / "askdocs-alerts.test.yml"
PROMTOOL = shutil.which("promtool")
NO_PROMTOOL = "promtool is not installed (Debian's `prometheus` package ships it)"

# The series as Prometheus shows them: counters with `_total`, histograms as their three parts.
_COUNTERS = (
    "http_requests", "vector_search_requests", "answer_cache", "llm_requests", "llm_tokens",
    "llm_failovers", "ingest_pages", "ingest_outcomes", "rate_limit_rejections",
    "answers_declined",
)  # fmt: skip
_HISTOGRAMS = (
    "http_request_duration_seconds", "vector_search_duration_seconds",
    "llm_request_duration_seconds", "llm_time_to_first_token_seconds", "ingest_seconds",
    "ask_seconds",
)  # fmt: skip
_GAUGES = ("vector_search_recall", "queue_depth", "queue_oldest_age_seconds")
CONTRACT = frozenset(
    [f"askdocs_{name}_total" for name in _COUNTERS]
    + [f"askdocs_{name}_{part}" for name in _HISTOGRAMS for part in ("bucket", "sum", "count")]
    + [f"askdocs_{name}" for name in _GAUGES]
)
_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset"})
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_PAIRS = {")": "(", "]": "[", "}": "{"}


def series_in(expr: str) -> set[str]:
    """The metric names `expr` selects: identifiers outside strings, label matchers, ranges and
    grouping clauses that are neither functions (followed by `(`) nor operators."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", text)
    text = _GROUPING.sub("", text)
    return {
        match[0]
        for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text)
        if match[0] not in _KEYWORDS and not text[match.end() :].lstrip().startswith("(")
    }


def balanced(expr: str) -> bool:
    """Brackets of every kind close in order, outside string literals."""
    stack: list[str] = []
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr):
        if char in "([{":
            stack.append(char)
        elif char in _PAIRS and (not stack or stack.pop() != _PAIRS[char]):
            return False
    return not stack


def _rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def _dashboard_exprs() -> list[str]:
    return [t["expr"] for p in _dashboard()["panels"] for t in p.get("targets", [])]


def test_the_expression_reader_finds_series_and_unbalanced_brackets() -> None:
    expr = 'sum by (le) (rate(askdocs_x_bucket{a="b)"}[5m])) / ignoring(k) up > bool 1'

    assert series_in(expr) == {"askdocs_x_bucket", "up"}
    assert balanced(expr)
    assert not balanced("sum(rate(askdocs_x[5m])")
    assert not balanced("sum(rate(askdocs_x[5m)])")


def test_every_alert_has_a_duration_a_severity_and_says_what_happened() -> None:
    rules = _rules()

    assert {rule["alert"] for rule in rules} == {
        "AskdocsChatLatencyP99High",
        "AskdocsHttpErrorRateHigh",
        "AskdocsProviderFailoverRateHigh",
        "AskdocsIngestionFailuresHigh",
        "AskdocsQueueOldestJobTooOld",
    }
    for rule in rules:
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]


def test_alert_expressions_name_only_contract_series_with_balanced_brackets() -> None:
    for rule in _rules():
        assert balanced(rule["expr"]), rule["alert"]
        assert series_in(rule["expr"]) <= CONTRACT, rule["alert"]
        assert series_in(rule["expr"]), rule["alert"]


def test_the_dashboard_is_importable_with_a_prometheus_datasource_input() -> None:
    dashboard = _dashboard()
    source = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}

    assert isinstance(dashboard["schemaVersion"], int)
    assert [i["name"] for i in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    assert dashboard["__inputs"][0]["pluginId"] == "prometheus"
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels:
        assert panel["datasource"] == source, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(target["datasource"] == source for target in panel["targets"])


def test_dashboard_expressions_name_only_contract_series_with_balanced_brackets() -> None:
    for expr in _dashboard_exprs():
        assert balanced(expr), expr
        assert series_in(expr) <= CONTRACT, expr
        assert series_in(expr), expr


def test_the_dashboard_shows_every_series_of_the_contract() -> None:
    shown = set().union(*map(series_in, _dashboard_exprs()))
    # A histogram is shown through its buckets (and questions are counted by ask_seconds_count).
    sums = {name for name in CONTRACT if name.endswith("_sum")}
    counts = {name for name in CONTRACT if name.endswith("_count")} - {"askdocs_ask_seconds_count"}

    assert shown == CONTRACT - sums - counts


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_promtool_accepts_the_alert_rules_and_their_tests_pass() -> None:
    for command in (["check", "rules", ALERTS.name], ["test", "rules", ALERT_TESTS.name]):
        done = subprocess.run(
            [str(PROMTOOL), *command], cwd=FOLDER, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_promtool_parses_every_dashboard_expression(tmp_path: Path) -> None:
    # Grafana's interval variable is not PromQL; a recording rule per expression makes promtool
    # parse each one.
    rules = [
        {"record": f"askdocs:dashboard_{n}", "expr": expr.replace("$__rate_interval", "5m")}
        for n, expr in enumerate(_dashboard_exprs())
    ]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))

    done = subprocess.run(
        [str(PROMTOOL), "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
