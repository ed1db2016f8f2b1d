#!/usr/bin/env python3
"""Faults the service must survive, run against the built binary and real databases.

Usage: python3 tests/faults/run.py <path to the bluelight binary>

1. PostgreSQL stopped under load: while writers create categories and a prober reads
   /health/ready, the database is stopped. Every request answered while it is down must be 503
   with Retry-After, within about a second (never a 500, never a hang), and /health/ready must
   say not ready. The database is started again and the same process must serve writes again
   without a restart. Every write acknowledged with 201 must be there, and every category
   present must have its audit event (nothing half-written).
2. SQLite, kill -9 during a CSV import and concurrent writes: after a restart on the same file,
   PRAGMA integrity_check is "ok", the import is whole or absent (its lines all there, or none
   and the import failed), the spend sums kept per financial year (what the national reports
   read) equal the lines, and every acknowledged write is there.

Only the standard library (and tests/processes/harness.py): it runs on a fresh machine with Python 3 and the PostgreSQL server
this machine kind has (stopped and started with pg_ctlcluster, so it needs to run as root or
postgres; it says so and fails if it cannot).
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "processes"))
from harness import PG_URL_BASE, Service, fail, print_log_tails, psql, request, run  # noqa: E402

# A request may take this long while the database is down: the pool's wait (1 s) plus slack for
# a loaded 2-core machine.
ANSWER_WITHIN = 2.5


def pg_cluster():
    versions = sorted(os.listdir("/etc/postgresql"))
    if not versions:
        fail("no PostgreSQL cluster found")
    return versions[-1], "main"


def pg(action):
    version, name = pg_cluster()
    run("pg_ctlcluster", "--skip-systemctl-redirect", version, name, action)


def category(slug):
    return {
        "slug": slug,
        "name": f"Fault test {slug}",
        "parent": None,
        "description": "Created by the fault tests",
        "cpv_codes": ["35811000-1"],
        "joint_with_fire": False,
    }


class Writers:
    """Threads creating categories until stopped; every answer is kept with when it came."""

    def __init__(self, service, token, prefix, threads=3):
        self.service, self.token, self.prefix = service, token, prefix
        self.answers = []  # (slug, status, retry_after, seconds, finished_at)
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self.loop, args=(i,)) for i in range(threads)]
        for t in self.threads:
            t.start()

    def loop(self, index):
        n = 0
        while self.running:
            n += 1
            slug = f"{self.prefix}-{index}-{n}"
            try:
                status, headers, _, seconds = request(
                    "POST", self.service.base + "/api/v1/categories", self.token, category(slug)
                )
                retry_after = headers.get("Retry-After")
            except OSError as error:
                status, retry_after, seconds = f"no answer ({error})", None, None
            with self.lock:
                self.answers.append((slug, status, retry_after, seconds, time.monotonic()))
            time.sleep(0.02)

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join()

    def acknowledged(self):
        return [a[0] for a in self.answers if a[1] == 201]


def postgres_stopped_under_load(binary, workdir):
    print("FAULTS: PostgreSQL stopped under load", flush=True)
    database = f"faults_{os.getpid()}"
    psql("test", f"CREATE DATABASE {database}")
    service = None
    try:
        service = Service(binary, f"{PG_URL_BASE}/{database}", os.path.join(workdir, "pg-service.log"))
        token = service.token("national_admin")
        writers = Writers(service, token, "pgfault")
        time.sleep(2)
        stopped_at = time.monotonic()
        pg("stop")
        print("FAULTS:   database stopped", flush=True)
        time.sleep(1)  # requests in flight at the stop may still finish either way
        window_start = time.monotonic()
        ready_answers = []
        while time.monotonic() - window_start < 4:
            status, headers, _, seconds = request("GET", service.base + "/health/ready")
            ready_answers.append((status, seconds))
            time.sleep(0.25)
        window_end = time.monotonic()
        pg("start")
        print("FAULTS:   database started", flush=True)
        started_at = time.monotonic()
        # The same process serves writes again, without a restart.
        recovered = None
        while time.monotonic() - started_at < 30:
            with writers.lock:
                late = [a for a in writers.answers if a[4] > started_at + 0.5 and a[1] == 201]
            if late:
                recovered = time.monotonic() - started_at
                break
            time.sleep(0.2)
        time.sleep(1)
        writers.stop()
        if recovered is None:
            fail("no write succeeded within 30 s of the database starting again")

        during = [a for a in writers.answers if window_start <= a[4] - (a[3] or 0) and a[4] <= window_end]
        if not during:
            fail("no request was answered while the database was down")
        for slug, status, retry_after, seconds, _ in during:
            if status != 503 or not retry_after:
                fail(f"{slug} answered {status} (Retry-After {retry_after}) while the database was down")
            if seconds > ANSWER_WITHIN:
                fail(f"{slug} took {seconds:.2f} s to be refused while the database was down")
        if any(status != 503 for status, _ in ready_answers):
            fail(f"/health/ready said {ready_answers} while the database was down")
        not_5xx = [a for a in writers.answers if a[1] not in (201, 503)]
        if not_5xx:
            fail(f"answers other than 201 and 503: {not_5xx[:5]}")

        acknowledged = writers.acknowledged()
        present = set(psql(database, "SELECT slug FROM categories WHERE slug LIKE 'pgfault-%'").split())
        lost = [slug for slug in acknowledged if slug not in present]
        if lost:
            fail(f"acknowledged writes lost: {lost[:5]}")
        unaudited = psql(
            database,
            "SELECT count(*) FROM categories c WHERE c.slug LIKE 'pgfault-%' AND NOT EXISTS "
            "(SELECT 1 FROM audit_events a WHERE a.resource_type = 'category' AND a.resource_id = c.slug)",
        )
        if unaudited != "0":
            fail(f"{unaudited} categories written without their audit event")
        slowest = max(a[3] for a in during)
        print(
            f"FAULTS:   ok: {len(during)} requests while down, all 503 with Retry-After, slowest "
            f"{slowest:.2f} s; /health/ready 503 x{len(ready_answers)}; writes again "
            f"{recovered:.1f} s after the start; {len(acknowledged)} acknowledged writes all present "
            f"and audited (database down {window_end - stopped_at:.1f} s)",
            flush=True,
        )
    finally:
        if service:
            service.stop()
        try:
            pg("start")
        except subprocess.CalledProcessError:
            pass  # already running
        for _ in range(50):
            try:
                psql("test", f"DROP DATABASE IF EXISTS {database}")
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)


def spend_file(lines, prefix="K"):
    rows = ["transaction_id,date,supplier,amount"]
    rows += [f"{prefix}-{i:07d},2025-{(i % 12) + 1:02d}-{(i % 28) + 1:02d},Supplier {i % 500},{(i % 9000) + 10}.{i % 100:02d}" for i in range(lines)]
    return ("\n".join(rows) + "\n").encode()


def kept_and_summed_spend(db):
    """Each (tenant, financial year)'s spend and line count as the national reports read it
    (spend_year_totals, kept by the imports) and as the lines add up; they must be equal."""
    kept = {
        (tenant, year): (amount, lines)
        for tenant, year, amount, lines in db.execute(
            "SELECT tenant_slug, financial_year, SUM(amount_pence), SUM(lines) FROM spend_year_totals GROUP BY 1, 2"
        )
    }
    summed = {}
    for tenant, month, amount, lines in db.execute(
        "SELECT tenant_slug, substr(paid_on, 1, 7), SUM(amount_pence), COUNT(*) FROM spend_lines GROUP BY 1, 2"
    ):
        year, month_number = int(month[:4]), int(month[5:7])
        # A financial year is named by the year of the April it starts in.
        key = (tenant, year if month_number >= 4 else year - 1)
        old_amount, old_lines = summed.get(key, (0, 0))
        summed[key] = (old_amount + amount, old_lines + lines)
    return kept, summed


def post_spend_import(service, token, csv):
    """Sends a spend file to faults-fire; the import's id once it is accepted."""
    status, _, body, _ = request(
        "POST",
        service.base + "/api/v1/tenants/faults-fire/spend-imports",
        token,
        csv,
        content_type="text/csv",
        timeout=120,
    )
    if status != 202:
        fail(f"the import was not accepted: {status} {body[:300]}")
    return json.loads(body)["id"]


def sqlite_killed_during_an_import(binary, workdir):
    print("FAULTS: SQLite, kill -9 during an import and concurrent writes", flush=True)
    path = os.path.join(workdir, "killed.sqlite3")
    log = os.path.join(workdir, "sqlite-service.log")
    service = Service(binary, path, log)
    admin = service.token("national_admin")
    status, _, body, _ = request(
        "POST",
        service.base + "/api/v1/tenants",
        admin,
        {"slug": "faults-fire", "name": "Faults Fire", "kind": "fire", "region": "wales"},
    )
    if status != 201:
        fail(f"creating the tenant: {status} {body[:200]}")
    buyer = service.token("buyer", "faults-fire")
    # Spend already kept before the kill, so the sums' check below compares something.
    earlier_id = post_spend_import(service, buyer, spend_file(2_000, prefix="EARLIER"))
    until = time.monotonic() + 60
    while True:
        _, _, body, _ = request("GET", f"{service.base}/api/v1/tenants/faults-fire/imports/{earlier_id}", buyer)
        if json.loads(body)["status"] == "completed":
            break
        if time.monotonic() > until:
            fail(f"the earlier import did not complete: {body[:300]}")
        time.sleep(0.1)
    writers = Writers(service, admin, "sqlitefault", threads=2)
    lines = 150_000
    import_id = post_spend_import(service, buyer, spend_file(lines))
    # Killed while it is being written, if it is caught running; whole or absent either way.
    until = time.monotonic() + 30
    seen = None
    while time.monotonic() < until:
        _, _, body, _ = request("GET", f"{service.base}/api/v1/tenants/faults-fire/imports/{import_id}", buyer)
        seen = json.loads(body)
        if seen["status"] != "running" or (seen.get("rows_written") or 0) > 0:
            break
        time.sleep(0.05)
    service.kill()
    writers.stop()
    print(f"FAULTS:   killed with the import {seen['status']}, {seen.get('rows_written')} rows written", flush=True)

    check = sqlite3.connect(path)
    integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
    check.close()
    if integrity != "ok":
        fail(f"integrity_check after kill -9: {integrity}")

    service = Service(binary, path, log)
    try:
        admin = service.token("national_admin")
        buyer = service.token("buyer", "faults-fire")
        _, _, body, _ = request("GET", f"{service.base}/api/v1/tenants/faults-fire/imports/{import_id}", buyer)
        after = json.loads(body)
        db = sqlite3.connect(path)
        written = db.execute("SELECT count(*) FROM spend_lines WHERE import_id = ?", (import_id,)).fetchone()[0]
        present = {row[0] for row in db.execute("SELECT slug FROM categories WHERE slug LIKE 'sqlitefault-%'")}
        kept, summed = kept_and_summed_spend(db)
        db.close()
        if not any(tenant == "faults-fire" for tenant, _ in kept):
            fail(f"the earlier import's kept sums are gone: {kept}")
        if kept != summed:
            fail(f"the kept per-year spend sums disagree with the lines after kill -9: kept {kept}, lines {summed}")
        if after["status"] == "completed":
            if written != lines:
                fail(f"a completed import has {written} of its {lines} lines")

        elif after["status"] == "failed":
            if written != 0:
                fail(f"a failed import left {written} lines")
        else:
            fail(f"after the restart the import is {after['status']}")
        lost = [slug for slug in writers.acknowledged() if slug not in present]
        if lost:
            fail(f"acknowledged writes lost: {lost[:5]}")
        bad = [a for a in writers.answers if a[1] not in (201, 503) and not str(a[1]).startswith("no answer")]
        if bad:
            fail(f"answers other than 201 and 503 before the kill: {bad[:5]}")
        # And it serves writes again.
        status, _, _, _ = request("POST", service.base + "/api/v1/categories", admin, category("sqlitefault-after"))
        if status != 201:
            fail(f"a write after the restart answered {status}")
        print(
            f"FAULTS:   ok: integrity_check ok; import {after['status']} with {written} lines, "
            f"the kept per-year sums equal to the lines ({len(kept)} tenant-years); "
            f"{len(writers.acknowledged())} acknowledged writes all present",
            flush=True,
        )
    finally:
        service.stop()


def main():
    if len(sys.argv) != 2:
        fail("usage: run.py <bluelight binary>")
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="bluelight-faults-") as workdir:
        try:
            sqlite_killed_during_an_import(binary, workdir)
            postgres_stopped_under_load(binary, workdir)
        except SystemExit:
            print_log_tails(workdir, ("pg-service.log", "sqlite-service.log"))
            raise
    print("FAULTS: all passed", flush=True)


if __name__ == "__main__":
    main()
