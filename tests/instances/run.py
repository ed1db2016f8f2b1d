#!/usr/bin/env python3
"""Two instances of the service on one PostgreSQL database, as a national service runs past
one machine. Each check goes through both, as separate processes, over real HTTP:

1. A plugin activated through one instance is in force on the other for its next evaluation
   (the other has never compiled it).
2. A PATCH race across the instances, both with the same If-Match, gives exactly one 200 and
   one 412, round after round; the loser changed nothing.
3. Every webhook is delivered exactly once: both instances run their delivery loop against the
   same queue while decisions are recorded through both; a receiver on loopback counts each
   Webhook-Id.
4. An import started on one instance completes, whole, while the other is killed (-9) and
   started again: the restarted instance's start-up sweep leaves a live lease alone.

Usage: python3 tests/instances/run.py <path to the bluelight binary>
       <west-yorkshire-fire-and-rescue-service.wasm>
(.ci/run passes the plugin rules/bundled built.) Needs PostgreSQL on 127.0.0.1:5432 with trust
auth; creates a database of its own and drops it afterwards.
"""

import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "processes"))
from harness import PG_URL_BASE, Service, fail, print_log_tails, psql, request  # noqa: E402

FORCE = "bedfordshire-police"
FIRE = "west-yorkshire-fire-and-rescue-service"
# Short polls, so deliveries and their races happen within the check's few seconds.
SERVICE_ENV = {"ALLOW_PRIVATE_URLS": "true", "WEBHOOK_POLL_MS": "100", "HTTP_WORKERS": "2"}


def say(message):
    print(f"INSTANCES: {message}", flush=True)


def ok_json(answer, *statuses):
    status, _, body, _ = answer
    if status not in statuses:
        fail(f"expected {statuses}, got {status}: {body[:400]!r}")
    return json.loads(body) if body else None


def draft(reference, value="5000.00"):
    return {
        "procurement": {
            "reference": reference,
            "title": f"Instances check {reference}",
            "value": value,
            "contract_type": "goods",
            "category": "uniform-garments",
            "route": "multiple_quotes",
            "quotes": [
                {"supplier_name": "Ouse Valley Outfitters Ltd", "amount": value, "local": True, "sme": True},
                {"supplier_name": "Pennine Protective Apparel Ltd", "amount": value, "local": False, "sme": True},
                {"supplier_name": "Fenland Workwear Ltd", "amount": value, "local": False, "sme": False},
            ],
        }
    }


def a_plugin_activated_on_one_is_in_force_on_the_other(a, b, fire_wasm):
    admin = a.token("national_admin")
    status = request("POST", a.base + "/api/v1/tenants", admin,
                     {"slug": FIRE, "name": "West Yorkshire Fire and Rescue Service", "kind": "fire",
                      "region": "yorkshire-and-the-humber"})[0]
    if status not in (201, 409):
        fail(f"creating {FIRE}: {status}")
    buyer_b = b.token("buyer", FIRE)
    before = ok_json(request("POST", f"{b.base}/api/v1/tenants/{FIRE}/evaluate", buyer_b, draft("INST-1")), 200)
    if before["plugin_version"] is not None:
        fail(f"{FIRE} had a plugin of its own before the check: {before['plugin_version']}")

    tenant_admin_a = a.token("tenant_admin", FIRE)
    uploaded = ok_json(request("POST", f"{a.base}/api/v1/tenants/{FIRE}/rule-plugins", tenant_admin_a, fire_wasm,
                               content_type="application/wasm", timeout=60), 201)
    version = uploaded["version"]
    ok_json(request("POST", f"{a.base}/api/v1/tenants/{FIRE}/rule-plugins/{version}/activate", tenant_admin_a, {}),
            200)
    after = ok_json(request("POST", f"{b.base}/api/v1/tenants/{FIRE}/evaluate", buyer_b, draft("INST-2"), timeout=60),
                    200)
    if after["plugin_version"] != version or after["plugin_sha256"] != uploaded["sha256"]:
        fail(f"activated v{version} through one instance; the other decided with "
             f"v{after['plugin_version']} ({after['plugin_sha256']})")
    sources = sorted({layer["source"] for layer in after["layers"]})
    if sources != ["national", FIRE]:
        fail(f"the other instance's decision had layers {sources}")
    say(f"ok: v{version} activated through one instance decided the other's next evaluation "
        f"(layers {sources})")


def a_patch_race_across_instances_gives_one_412(a, b, rounds=12):
    admin_a, admin_b = a.token("national_admin"), b.token("national_admin")
    slug = "instances-race"
    ok_json(request("POST", a.base + "/api/v1/categories", admin_a,
                    {"slug": slug, "name": "Race", "parent": None, "description": "round 0",
                     "cpv_codes": ["35811000-1"], "joint_with_fire": False}), 201)
    tally = {"200": 0, "412": 0}
    for n in range(1, rounds + 1):
        _, headers, _, _ = request("GET", f"{b.base}/api/v1/categories/{slug}", admin_b)
        etag = headers["ETag"]
        answers = {}
        barrier = threading.Barrier(2)

        def patch(name, service, token):
            barrier.wait()
            answers[name] = request("PATCH", f"{service.base}/api/v1/categories/{slug}", token,
                                    {"description": f"round {n} by {name}"},
                                    content_type="application/merge-patch+json", headers={"If-Match": etag})

        threads = [threading.Thread(target=patch, args=(name, service, token))
                   for name, service, token in (("a", a, admin_a), ("b", b, admin_b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(answer[0] for answer in answers.values())
        if statuses != [200, 412]:
            fail(f"round {n}: the two PATCHes with one If-Match answered {statuses}")
        winner = next(name for name, answer in answers.items() if answer[0] == 200)
        stored = ok_json(request("GET", f"{a.base}/api/v1/categories/{slug}", admin_a), 200)
        if stored["description"] != f"round {n} by {winner}":
            fail(f"round {n}: {winner} won but the category says {stored['description']!r}")
        tally["200"] += 1
        tally["412"] += 1
    say(f"ok: {rounds} rounds of a PATCH race across the instances, each exactly one 200 and one 412, "
        f"the winner's change stored")


class Receiver:
    """A webhook receiver on loopback counting deliveries by Webhook-Id."""

    def __init__(self):
        self.seen = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    key = self.headers.get("Webhook-Id")
                    receiver.seen[key] = receiver.seen.get(key, 0) + 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def counts(self):
        with self.lock:
            return dict(self.seen)


def every_webhook_is_delivered_exactly_once(a, b, events=24):
    receiver = Receiver()
    admin = a.token("tenant_admin", FORCE)
    ok_json(request("POST", f"{a.base}/api/v1/tenants/{FORCE}/webhooks", admin,
                    {"url": receiver.url, "events": ["decision.recorded"], "description": "instances check"}), 201)
    buyers = [(a, a.token("buyer", FORCE)), (b, b.token("buyer", FORCE))]
    for n in range(events):
        service, buyer = buyers[n % 2]
        procurement = ok_json(request("POST", f"{service.base}/api/v1/tenants/{FORCE}/procurements", buyer,
                                      draft(f"INST-HOOK-{n}")["procurement"]), 201)
        service, buyer = buyers[(n + 1) % 2]
        ok_json(request("POST", f"{service.base}/api/v1/tenants/{FORCE}/procurements/{procurement['id']}/evaluations",
                        buyer, {}), 201)
    until = time.monotonic() + 60
    while time.monotonic() < until and len(receiver.counts()) < events:
        time.sleep(0.2)
    time.sleep(2)  # long enough for a second delivery of any of them, were there one
    counts = receiver.counts()
    repeated = {key: count for key, count in counts.items() if count != 1}
    if len(counts) != events or repeated:
        fail(f"{events} events: {len(counts)} distinct deliveries, repeated {repeated}")
    receiver.server.shutdown()
    say(f"ok: {events} decisions recorded through both instances, each webhook delivered exactly once "
        f"while both delivery loops ran")


def spend_file(lines):
    rows = ["transaction_id,date,supplier,amount"]
    rows += [f"I-{i:07d},2025-{(i % 12) + 1:02d}-{(i % 28) + 1:02d},Supplier {i % 500},{(i % 9000) + 10}.{i % 100:02d}"
             for i in range(lines)]
    return ("\n".join(rows) + "\n").encode()


def an_import_completes_while_the_other_instance_restarts(a, b, database, lines=100_000):
    buyer = a.token("buyer", FORCE)
    accepted = ok_json(request("POST", f"{a.base}/api/v1/tenants/{FORCE}/spend-imports", buyer, spend_file(lines),
                               content_type="text/csv", timeout=120), 202)
    import_id = accepted["id"]
    b.kill()
    b.start()
    # The check means something only if the restarted instance's start-up sweep met the import
    # still running.
    seen = ok_json(request("GET", f"{b.base}/api/v1/tenants/{FORCE}/imports/{import_id}", b.token("buyer", FORCE)),
                   200)
    if seen["status"] == "failed":
        fail(f"the restarted instance failed the other's live import: {seen.get('failure')}")
    if seen["status"] != "running":
        fail(f"the import was {seen['status']} before the other instance was back: make the file bigger")
    until = time.monotonic() + 180
    while time.monotonic() < until:
        seen = ok_json(request("GET", f"{b.base}/api/v1/tenants/{FORCE}/imports/{import_id}", b.token("buyer", FORCE)),
                       200)
        if seen["status"] != "running":
            break
        time.sleep(0.25)
    if seen["status"] != "completed" or seen["rows_written"] != lines:
        fail(f"the import on the live instance ended {seen['status']} with {seen['rows_written']} rows "
             f"({seen.get('failure')}) after the other instance restarted")
    stored = int(psql(database, f"SELECT count(*) FROM spend_lines WHERE import_id = '{import_id}'"))
    if stored != lines:
        fail(f"the completed import has {stored} of its {lines} lines")
    say(f"ok: a {lines:,}-line import on one instance completed whole while the other was killed and restarted")


def main():
    if len(sys.argv) != 3:
        fail("usage: run.py <bluelight binary> <west-yorkshire-fire-and-rescue-service.wasm>")
    binary = os.path.abspath(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        fire_wasm = f.read()
    database = f"instances_{os.getpid()}"
    psql("test", f"CREATE DATABASE {database}")
    url = f"{PG_URL_BASE}/{database}"
    a = b = None
    with tempfile.TemporaryDirectory(prefix="bluelight-instances-") as workdir:
        try:
            # The first loads the demo data (and the seed plugins); the second starts on it.
            a = Service(binary, url, os.path.join(workdir, "a.log"), demo="on", env=SERVICE_ENV)
            b = Service(binary, url, os.path.join(workdir, "b.log"), demo="off", env=SERVICE_ENV)
            say(f"two instances on one PostgreSQL database: {a.base} and {b.base}")
            a_plugin_activated_on_one_is_in_force_on_the_other(a, b, fire_wasm)
            a_patch_race_across_instances_gives_one_412(a, b)
            every_webhook_is_delivered_exactly_once(a, b)
            an_import_completes_while_the_other_instance_restarts(a, b, database)
        except SystemExit:
            print_log_tails(workdir, ("a.log", "b.log"))
            raise
        finally:
            for service in (a, b):
                if service and service.process.poll() is None:
                    service.stop()
            for _ in range(50):
                try:
                    psql("test", f"DROP DATABASE IF EXISTS {database}")
                    break
                except Exception:  # noqa: BLE001 (connections closing)
                    time.sleep(0.2)
    say("all passed")


if __name__ == "__main__":
    main()
