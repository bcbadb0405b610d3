#!/usr/bin/env python3
"""Write a `promtool test rules` file for a rule file `headroom export
prometheus-rules` made from the default policy.

    promrules_tests.py RULES.yml TESTS.yml

For every trigger of the rule file, input series in the exporters' own metric
names are generated for a value past the critical level (both alerts must
fire), between the levels (only the warning), and under the warning level
(nothing), with the levels read from the rules themselves. Each is checked
after the trigger's `for` (firing) and, when `for` is 2m or more, before it
ends (not firing yet). The expected annotations are the rule's, with the
summary's {{ $value }} rendered as Prometheus' template functions render it.

Exits 1 naming any trigger this file has no series for, so a new default
trigger cannot go untested.
"""
import json
import math
import re
import sys

import yaml

INSTANCE = {"instance": "db1:9100", "job": "node"}


def counter(per_second, n):
    """A counter growing at per_second, one sample a minute for n minutes."""
    return f"0+{per_second * 60!r}x{n}"


def gauge(v, n):
    return f"{v!r}+0x{n}"


def sel(name, labels):
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{inner}}}"


# trigger name -> (builder(value, minutes) -> [(series, values)], result labels,
# True when the expression needs a rate (so it has a value from the second sample on))
def cpu(v, n):
    lab = {"cpu": "0", **INSTANCE}
    return [(sel("node_cpu_seconds_total", {**lab, "mode": "idle"}), counter(1 - v, n)),
            (sel("node_cpu_seconds_total", {**lab, "mode": "iowait"}), counter(0, n))]


def memory(v, n):
    return [(sel("node_memory_MemTotal_bytes", INSTANCE), gauge(8e9, n)),
            (sel("node_memory_MemAvailable_bytes", INSTANCE), gauge(8e9 * (1 - v), n))]


FS = {"device": "/dev/sda1", "fstype": "ext4", "mountpoint": "/", **INSTANCE}


def disk(v, n):
    return [(sel("node_filesystem_size_bytes", FS), gauge(100e9, n)),
            (sel("node_filesystem_free_bytes", FS), gauge(100e9 * (1 - v), n)),
            (sel("node_filesystem_avail_bytes", FS), gauge(100e9 * (1 - v), n))]


PG = {"instance": "db1:9187", "job": "postgres"}


def db_connections(v, n):
    return [(sel("pg_stat_activity_count", {**PG, "datname": "app", "state": "active"}), gauge(v * 200, n)),
            (sel("pg_stat_activity_count", {**PG, "datname": "app", "state": "idle"}), gauge(0, n)),
            (sel("pg_settings_max_connections", PG), gauge(200, n))]


def latency_p95(v, n):
    # Every request in the first bucket (0, X]: histogram_quantile interpolates
    # from 0, so the p95 is 0.95 X.
    x = v / 0.95
    lab = {"job": "api", "instance": "app1:8000"}
    return [(sel("http_request_duration_seconds_bucket", {**lab, "le": repr(x)}), counter(50, n)),
            (sel("http_request_duration_seconds_bucket", {**lab, "le": "+Inf"}), counter(50, n))]


def error_rate(v, n):
    lab = {"job": "api", "instance": "app1:8000"}
    return [(sel("http_requests_total", {**lab, "status": "500"}), counter(100 * v, n)),
            (sel("http_requests_total", {**lab, "status": "200"}), counter(100 * (1 - v), n))]


def request_rate(v, n):
    return [(sel("http_requests_total", {"job": "api", "instance": "app1:8000", "status": "200"}), counter(v, n))]


REDIS = {"instance": "cache1:9121", "job": "redis"}


def queue_depth(v, n):
    return [(sel("redis_key_size", {**REDIS, "db": "db0", "key": "celery"}), gauge(v, n))]


def queue_wait(v, n):
    return [(sel("headroom_redis_queue_wait", {"key": "bull:mail:wait", "source": "redis"}), gauge(v, n))]


def db_size(v, n):
    return [(sel("pg_database_size_bytes", {**PG, "datname": "app"}), gauge(v, n))]


def redis_memory(v, n):
    return [(sel("redis_memory_used_bytes", REDIS), gauge(v * 1e9, n)),
            (sel("redis_memory_max_bytes", REDIS), gauge(1e9, n))]


BUILDERS = {
    "cpu": (cpu, {"instance": INSTANCE["instance"]}, True),
    "memory": (memory, INSTANCE, False),
    "disk": (disk, FS, False),
    "disk-plan": (disk, FS, False),
    "db-connections": (db_connections, {"instance": PG["instance"]}, False),
    "latency-p95": (latency_p95, {"job": "api"}, True),
    "error-rate": (error_rate, {"job": "api"}, True),
    "request-rate": (request_rate, {"job": "api"}, True),
    "queue-depth": (queue_depth, {**REDIS, "db": "db0", "key": "celery"}, False),
    "queue-wait": (queue_wait, {"key": "bull:mail:wait", "source": "redis"}, False),
    "db-size": (db_size, {**PG, "datname": "app"}, False),
    "redis-memory": (redis_memory, REDIS, False),
}


# --- Prometheus' template functions (template/template.go), for the summary ---
def g4(v):
    """Go's %.4g."""
    return "%.4g" % v


def humanize(v):
    if v == 0 or math.isnan(v) or math.isinf(v):
        return g4(v)
    if abs(v) >= 1:
        prefix = ""
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"]:
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return g4(v) + prefix
    prefix = ""
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"]:
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return g4(v) + prefix


def humanize_duration(v):
    if math.isnan(v) or math.isinf(v):
        return g4(v)
    if v == 0:
        return "0s"
    sign = "-" if v < 0 else ""
    v = abs(v)
    if v >= 1:
        s, m, h, d = int(v) % 60, int(v) // 60 % 60, int(v) // 3600 % 24, int(v) // 86400
        if d:
            return f"{sign}{d}d {h}h {m}m {s}s"
        if h:
            return f"{sign}{h}h {m}m {s}s"
        if m:
            return f"{sign}{m}m {s}s"
        return f"{sign}{g4(v)}s"
    prefix = ""
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"]:
        if v >= 1:
            break
        prefix, v = p, v * 1000
    return f"{sign}{g4(v)}{prefix}s"


RENDER = {
    "{{ $value | humanizePercentage }}": lambda v: g4(v * 100) + "%",
    "{{ $value | humanizeDuration }}": humanize_duration,
    "{{ $value | humanize }}": humanize,
}


def render(text, value):
    for k, f in RENDER.items():
        text = text.replace(k, f(value))
    return text


def duration_s(d):
    total = 0
    for num, unit in re.findall(r"(\d+)(ms|h|m|s)", d or "0s"):
        total += int(num) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[unit]
    return total


def main():
    rules_path, out_path = sys.argv[1], sys.argv[2]
    groups = yaml.safe_load(open(rules_path))["groups"]
    rules = [r for g in groups for r in g["rules"]]
    # trigger -> {"warning": rule, "critical": rule}
    triggers = {}
    for r in rules:
        triggers.setdefault(r["labels"]["trigger"], {})[r["labels"]["severity"]] = r
    missing = [t for t in triggers if t not in BUILDERS]
    if missing:
        print("no input series for trigger(s): " + ", ".join(missing), file=sys.stderr)
        sys.exit(1)

    tests = []
    for name, levels in sorted(triggers.items()):
        build, result_labels, needs_rate = BUILDERS[name]
        any_rule = levels.get("warning") or levels["critical"]
        m = re.search(r" ([<>]) (\S+)$", any_rule["expr"])
        below = m.group(1) == "<"
        warn = float(re.search(r" [<>] (\S+)$", levels["warning"]["expr"]).group(1)) if "warning" in levels else None
        crit = float(re.search(r" [<>] (\S+)$", levels["critical"]["expr"]).group(1)) if "critical" in levels else None
        for_s = duration_s(any_rule.get("for"))
        first = warn if warn is not None else crit
        # Values: past crit (both), between (warning only), inside (none).
        scenarios = []
        if crit is not None:
            past = crit * (0.9 if below else 1.1) if crit else 1
            scenarios.append(("past critical", past, [s for s in ("warning", "critical") if s in levels]))
        if warn is not None:
            mid = (warn + crit) / 2 if crit is not None else warn * (0.8 if below else 1.25)
            scenarios.append(("past warning", mid, ["warning"]))
        scenarios.append(("inside", first * (2 if below else 0.5), []))
        # A rate over [5m] reaches its full value once the window is full of
        # samples (Prometheus extrapolates a counter no further back than 0).
        minutes = int(for_s // 60) + 15
        fire_at = for_s + (480 if needs_rate else 180)
        for label, value, firing in scenarios:
            series = [{"series": s, "values": v} for s, v in build(value, minutes)]
            # Both levels share the alert name: one check lists the alerts of both.
            alertname = any_rule["alert"]
            exp = []
            for sev in ("warning", "critical"):
                if sev in firing:
                    rule = levels[sev]
                    ann = {k: render(v, value) for k, v in rule.get("annotations", {}).items()}
                    exp.append({"exp_labels": {**result_labels, **rule["labels"]}, "exp_annotations": ann})
            checks = [{"eval_time": f"{int(fire_at)}s", "alertname": alertname, "exp_alerts": exp}]
            # Before `for` has run: pending, not firing (an expression on a
            # rate has a value from the second sample, a minute later).
            if firing and for_s >= 120:
                checks.append({"eval_time": f"{int(for_s - 120)}s", "alertname": alertname, "exp_alerts": []})
            tests.append({"name": f"{name}: {label} ({value!r})", "interval": "1m", "input_series": series,
                          "alert_rule_test": checks})
    doc = {"rule_files": [rules_path], "evaluation_interval": "1m", "tests": tests}
    # JSON is YAML: no quoting to get wrong.
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
    print(len(tests))


if __name__ == "__main__":
    main()
