"""Running the built service as real processes, for the checks that need more than one process
or a database that stops: tests/faults/run.py and tests/instances/run.py.

Only the standard library, so the checks run on a fresh machine with Python 3.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

PG_URL_BASE = "postgres://postgres@127.0.0.1:5432"
# One secret for every instance a check starts: a token minted by one is good on the others.
SECRET = secrets.token_hex(24)


def fail(message):
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def psql(database, sql):
    return run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql).stdout.strip()


class Service:
    """The binary serving on a free loopback port, its output appended to `log_path`."""

    def __init__(self, binary, database_url, log_path, demo="off", env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update(
            DATABASE_URL=database_url,
            JWT_SECRET=SECRET,
            LISTEN=f"127.0.0.1:{self.port}",
            DEMO_DATA=demo,
            RUST_LOG="warn",
        )
        self.env.update(env or {})
        self.binary = binary
        self.log = open(log_path, "ab")
        self.start()

    def start(self):
        """Starts (or starts again, on the same port) and waits until ready."""
        self.process = subprocess.Popen([self.binary], env=self.env, stdout=self.log, stderr=self.log)
        self.wait_ready()

    def wait_ready(self, seconds=90):
        until = time.time() + seconds
        while time.time() < until:
            if self.process.poll() is not None:
                fail(f"the service exited with {self.process.returncode}; see {self.log.name}")
            try:
                if request("GET", self.base + "/health/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        fail("the service did not become ready")

    def token(self, role, tenant=None):
        args = [self.binary, "token", "--role", role, "--sub", "process-checks"]
        if tenant:
            args += ["--tenant", tenant]
        return run(*args, env=self.env).stdout.strip()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=30)


def request(method, url, token=None, body=None, content_type="application/json", timeout=15, headers=None):
    """(status, headers, body bytes, seconds taken)."""
    data = None
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent["Content-Type"] = content_type
    started = time.monotonic()
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.headers, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), time.monotonic() - started


def print_log_tails(workdir, names, lines=40):
    for name in names:
        log = os.path.join(workdir, name)
        if os.path.exists(log):
            print(f"--- {name} (last {lines} lines)")
            with open(log, "rb") as f:
                print(b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace"))
