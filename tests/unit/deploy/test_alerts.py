"""The alerting rules name only series the services expose, and every rule is well formed."""

import re
from pathlib import Path

import yaml

from services.kit.metrics import Metrics

RULES = Path(__file__).parents[3] / "deploy" / "prometheus" / "alerts.yml"


def test_every_series_an_alert_reads_is_exposed():
    exposed = (
        {
            name
            for metric in Metrics().registry.collect()
            for name in (metric.name, *(sample.name for sample in metric.samples))
        }
        | {f"{metric.name}_total" for metric in Metrics().registry.collect()}
        | {f"{metric.name}_bucket" for metric in Metrics().registry.collect()}
    )
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"][0]["rules"]
    assert rules and all({"alert", "expr", "labels", "annotations"} <= rule.keys() for rule in rules)
    for rule in rules:
        for series in re.findall(r"\btdkt_[a-z_]+", rule["expr"]):
            assert series in exposed, f"{rule['alert']} reads {series}, which no service exposes"
