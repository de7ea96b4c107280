#!/usr/bin/env python3
"""RSS of the ledger over repeated rounds of one mixed load (DESIGN.md §5 and issue 25: flat, ±10 %, with the
launcher's heap bound).

Starts ./credledger serve (the launcher: -Xmx512m by default) on its embedded default in a fresh data directory on
loopback, then runs WARM_UP warm-up rounds (the heap grows to its bound: G1 takes the room it is given before it
collects hard, and the JIT compiles) and ROUNDS measured rounds of the same load against the same 100 accounts: a
COMPROMISED refresh of each token, a client credential created and deleted for each, 2,000 verifications, 100 audit
pages and 10 exports (NDJSON, CSV, OCSF), 4 MAC batches of 4 MiB, 10 webhooks created and deleted, 20 SSE streams
opened and closed — and, all along, webhook deliveries of every revocation of 10 accounts to a receiver on loopback.
After each round it prints the process's RSS (/proc) and the heap in use (/metrics); at the end, the spread of RSS
over the measured rounds. Bounded: a fixed number of requests, then it stops the ledger and exits.

Usage: bench/rss-rounds.py [rounds=3]
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
WARM_UP = 3
ADMIN, SIGNER, VERIFIER, AUDITOR = "rss-admin", "rss-signer", "rss-verifier", "rss-auditor"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()


def request(method, path, key=None, body=None, headers=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    h = dict(headers or {})
    if key:
        h["Authorization"] = "Bearer " + key
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    raw = r.read()
    conn.close()
    return r.status, raw


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return -1


def heap_mib():
    status, raw = request("GET", "/metrics")
    used = 0.0
    for line in raw.decode().splitlines():
        if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line:
            used += float(line.rsplit(" ", 1)[1])
    return int(used) >> 20


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver on loopback: takes every delivery with 204 and counts it."""
    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def drain(method, path, key):
    """A request whose (streamed) answer is read to its end and dropped."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request(method, path, headers={"Authorization": "Bearer " + key})
    r = conn.getresponse()
    while r.read(65536):
        pass
    conn.close()
    return r.status


def main():
    data = tempfile.mkdtemp(prefix="credledger-rss-")
    env = dict(os.environ, CREDLEDGER_ADMIN_TOKEN=ADMIN, CREDLEDGER_SIGNER_TOKEN=SIGNER, CREDLEDGER_VERIFIER_TOKEN=VERIFIER,
               CREDLEDGER_AUDITOR_TOKEN=AUDITOR)
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    log = open(os.path.join(data, "ledger.log"), "w")
    ledger = subprocess.Popen([os.path.join(ROOT, "credledger"), "serve", "--data-dir", data, "--http-port", str(PORT),
                               "--kafka-port", str(free_port()), "--registry-port", str(free_port()),
                               "--webhooks-allow-private-addresses"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 180
        while True:
            try:
                if request("GET", "/health/ready")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or ledger.poll() is not None:
                raise SystemExit("the ledger did not become ready; see " + log.name)
            time.sleep(0.5)
        pid = ledger.pid
        # The launcher execs java: the process is the JVM itself.
        accounts = [f"rss-{i}" for i in range(100)]
        tokens = {}
        for a in accounts:
            status, raw = request("POST", f"/v1/accounts/{a}/environments/sandbox/api/enable", ADMIN)
            tokens[a] = json.loads(raw)["authToken"]
        batch = json.dumps({"items": [{"accountId": accounts[i % 100], "environment": "sandbox",
                                       "payload": "p" * 1_000_000} for i in range(4)]}).encode()
        for a in accounts[:10]:
            request("POST", f"/v1/accounts/{a}/environments/sandbox/webhooks", ADMIN,
                    {"url": hook_url, "events": ["credential.revoked"]})
        print(f"before the warm-up (100 accounts enabled): RSS {rss_mib(pid)} MiB, heap in use {heap_mib()} MiB",
              flush=True)
        measured = []
        for rnd in range(1 - WARM_UP, ROUNDS + 1):
            started = time.time()
            for a in accounts:
                status, raw = request("POST", f"/v1/accounts/{a}/environments/sandbox/api/refresh", ADMIN,
                                      {"reason": "COMPROMISED"})
                tokens[a] = json.loads(raw)["authToken"]
                status, raw = request("POST", f"/v1/accounts/{a}/environments/sandbox/credentials", ADMIN,
                                      {"name": f"round-{rnd}"})
                cred = json.loads(raw)["credentialId"]
                request("DELETE", f"/v1/accounts/{a}/environments/sandbox/credentials/{cred}", ADMIN)
            for i in range(2000):
                request("POST", "/v1/verify", VERIFIER, headers={"X-Auth-Token": tokens[accounts[i % 100]]})
            for i in range(100):
                drain("GET", f"/v1/accounts/{accounts[i]}/audit?limit=100", AUDITOR)
            for i in range(10):
                fmt = ("ndjson", "csv", "ocsf")[i % 3]
                drain("GET", f"/v1/accounts/{accounts[i]}/audit/export?format={fmt}", AUDITOR)
            for _ in range(4):
                request("POST", "/v1/macs", SIGNER, batch)
            for i in range(10):
                a = accounts[i]
                status, raw = request("POST", f"/v1/accounts/{a}/environments/sandbox/webhooks", ADMIN,
                                      {"url": "http://127.0.0.1:9/hook", "events": ["credential.revoked"]})
                hook = json.loads(raw)["webhookId"]
                request("DELETE", f"/v1/accounts/{a}/environments/sandbox/webhooks/{hook}", ADMIN)
            for _ in range(20):
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
                conn.request("GET", "/v1/revocations/stream", headers={"Authorization": "Bearer " + VERIFIER})
                conn.getresponse().read(10)
                conn.close()
            rss = rss_mib(pid)
            name = f"warm-up round {rnd + WARM_UP}" if rnd <= 0 else f"round {rnd}"
            print(f"{name} ({time.time() - started:.0f} s): RSS {rss} MiB, heap in use {heap_mib()} MiB, webhook"
                  f" deliveries received so far {Receiver.received}", flush=True)
            if rnd > 0:
                measured.append(rss)
        spread = (max(measured) - min(measured)) / min(measured) * 100
        print(f"RSS over {ROUNDS} measured rounds: {min(measured)}-{max(measured)} MiB, spread {spread:.1f} %"
              f" (target: flat within 10 %)", flush=True)
    finally:
        ledger.send_signal(signal.SIGTERM)
        try:
            ledger.wait(60)
        except subprocess.TimeoutExpired:
            ledger.kill()
        receiver.shutdown()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
