"""What an operator's tools see: the metrics through Prometheus's own parser, the JSON log lines.

Run by run.sh against a service it started with LOG_FORMAT=json and RUST_LOG=info, its standard
error going to BLUELIGHT_LOG. Checks, from the outside:

1. `/metrics` refuses a caller without a token (401) and a force's token (403); a national
   viewer gets `text/plain; version=0.0.4` that the Prometheus client library's parser
   (prometheus_client, the reference implementation in Python) reads, with every family the
   operations guide (docs/operations.md) lists.
2. The figures move by exactly what this script did: five framework list reads move their route's
   counter and histogram count by five; one draft evaluation moves the tenant's evaluations by one
   per layer (national and the tenant's own) and the fuel and duration histograms with them.
3. Every response carries `X-Request-Id`: the caller's own when it sends a usable one, a fresh
   one otherwise (two requests never share one).
4. After the service stops, every line it logged is one JSON object; the access line of the
   request sent with a chosen id carries that id, its method, path, route and status.

Environment: BLUELIGHT_URL, BLUELIGHT_TENANT, BLUELIGHT_NATIONAL_TOKEN (national_viewer),
BLUELIGHT_BUYER_TOKEN (a buyer of the tenant), BLUELIGHT_LOG (the service's log file),
BLUELIGHT_SERVICE_PID (stopped by this script before it reads the log).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

URL = os.environ["BLUELIGHT_URL"]
TENANT = os.environ["BLUELIGHT_TENANT"]
NATIONAL = os.environ["BLUELIGHT_NATIONAL_TOKEN"]
BUYER = os.environ["BLUELIGHT_BUYER_TOKEN"]
LOG = os.environ["BLUELIGHT_LOG"]
PID = int(os.environ["BLUELIGHT_SERVICE_PID"])

# The families docs/operations.md describes; each must be in a scrape once there was traffic
# (bluelight_rule_sandboxes_refused appears with the first refusal, so it is not listed).
FAMILIES = [
    "bluelight_http_requests",
    "bluelight_http_request_duration_seconds",
    "bluelight_rule_evaluations",
    "bluelight_rule_evaluation_fuel",
    "bluelight_rule_evaluation_duration_seconds",
    "bluelight_rule_sandboxes_in_use",
    "bluelight_db_pool_wait_seconds",
    "bluelight_db_pool_timeouts",
    "bluelight_db_pool_connections",
    "bluelight_imports_running",
    "bluelight_import_rows_written",
    "bluelight_imports_finished",
    "bluelight_webhook_attempts",
    "bluelight_webhook_deliveries",
    "process_resident_memory_bytes",
]


def request(method: str, path: str, token: str | None = None, body: Any = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def scrape(families: list[str]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, headers, body = request("GET", "/metrics", NATIONAL)
    assert status == 200, (status, body[:300])
    assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8", headers["content-type"]
    samples = {}
    names = set()
    for family in text_string_to_metric_families(body.decode()):
        names.add(family.name)
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    missing = [name for name in families if name not in names]
    assert not missing, f"families missing from the scrape: {missing}"
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def main() -> None:
    status, _, _ = request("GET", "/metrics")
    assert status == 401, f"/metrics without a token: {status}"
    status, _, _ = request("GET", "/metrics", BUYER)
    assert status == 403, f"/metrics with a force's token: {status}"

    # Families labelled by tenant appear with their first evaluation; the rest from the start.
    before = scrape([f for f in FAMILIES if not f.startswith("bluelight_rule_evaluation")])
    route = dict(method="GET", route="/api/v1/frameworks")
    trace_id = f"ops-check-{secrets.token_hex(6)}"
    seen_ids = set()
    for i in range(5):
        headers = {"X-Request-Id": trace_id} if i == 0 else {}
        status, response_headers, body = request("GET", "/api/v1/frameworks?limit=5", BUYER, headers=headers)
        assert status == 200, (status, body[:300])
        seen_ids.add(response_headers["x-request-id"])
    assert trace_id in seen_ids, f"the caller's request id was not kept: {seen_ids}"
    assert len(seen_ids) == 5, f"request ids repeated: {seen_ids}"
    status, response_headers, _ = request("GET", "/no/such/path", headers={"X-Request-Id": "two words"})
    assert status == 404 and response_headers.get("x-request-id") not in (None, "two words"), response_headers

    draft = {
        "procurement": {
            "reference": "OPS-1",
            "title": "Operations check",
            "value": "5000.00",
            "contract_type": "goods",
            "category": "uniform-garments",
            "route": "multiple_quotes",
            "quotes": [{"supplier_name": "Ouse Valley Outfitters Ltd", "amount": "5000.00", "local": True, "sme": True}],
        }
    }
    status, _, body = request("POST", f"/api/v1/tenants/{TENANT}/evaluate", BUYER, body=draft)
    assert status == 200, (status, body[:500])
    outcome = json.loads(body)["outcome"]

    after = scrape(FAMILIES)
    moved = value(after, "bluelight_http_requests_total", status="200", **route) - value(
        before, "bluelight_http_requests_total", status="200", **route)
    assert moved == 5, f"the list route's counter moved by {moved}, not 5"
    moved = value(after, "bluelight_http_request_duration_seconds_count", **route) - value(
        before, "bluelight_http_request_duration_seconds_count", **route)
    assert moved == 5, f"the list route's histogram count moved by {moved}, not 5"
    moved = value(after, "bluelight_http_requests_total", method="GET", route="unmatched", status="404") - value(
        before, "bluelight_http_requests_total", method="GET", route="unmatched", status="404")
    assert moved == 1, f"an unknown path was not counted as unmatched ({moved})"
    for layer in ("tenant", "national"):
        counted = sum(
            value(after, "bluelight_rule_evaluations_total", tenant=TENANT, layer=layer, outcome=o)
            - value(before, "bluelight_rule_evaluations_total", tenant=TENANT, layer=layer, outcome=o)
            for o in ("compliant", "non_compliant", "failed")
        )
        assert counted == 1, f"the {layer} layer's evaluations moved by {counted}, not 1"
        for family in ("bluelight_rule_evaluation_fuel_count", "bluelight_rule_evaluation_duration_seconds_count"):
            moved = value(after, family, layer=layer) - value(before, family, layer=layer)
            assert moved == 1, f"{family} for {layer} moved by {moved}, not 1"
        fuel = value(after, "bluelight_rule_evaluation_fuel_sum", layer=layer) - value(
            before, "bluelight_rule_evaluation_fuel_sum", layer=layer)
        assert fuel > 0, f"the {layer} layer's evaluation used no fuel"
    assert value(after, "bluelight_rule_sandboxes_in_use") == 0, "a sandbox is still counted in use"
    print(f"metrics: parsed; the list route +5, evaluations +1 per layer (draft {outcome})")

    # Stop the service so its log is complete, then read it as a log pipeline would.
    os.kill(PID, signal.SIGTERM)
    for _ in range(100):
        try:
            os.kill(PID, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    lines = [line for line in open(LOG, encoding="utf-8").read().splitlines() if line.strip()]
    assert lines, "the service logged nothing"
    records = []
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            sys.exit(f"log line {number} is not JSON: {line[:200]}")
    traced = [r for r in records if r.get("span", {}).get("request_id") == trace_id]
    access = [r for r in traced if r.get("target") == "bluelight::access"]
    assert len(access) == 1, f"expected one access line with request id {trace_id}, found {traced}"
    line = access[0]
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "GET", "/api/v1/frameworks", "/api/v1/frameworks", 200), line
    assert isinstance(line["duration_ms"], (int, float)) and line["level"] == "INFO", line
    print(f"logs: {len(records)} lines, all JSON; the traced request's access line carries its id")


if __name__ == "__main__":
    main()
