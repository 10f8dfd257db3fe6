# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Several Odoo servers on one database (issue 20, point 1, first part): two real HTTP servers in
prefork mode (2 workers each) serve the test database at once; a change made through server A that
clears the registry cache is seen by every worker of server B on its next request, and a worker
killed mid-flight (SIGKILL) costs no answer of the others; the SMS queue run by two processes at
once sends each message exactly once to a real local gateway."""

import concurrent.futures
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import xmlrpc.client

import pytest
from conftest import ROOT, _env

WORKERS = 2


def _free_ports(count):
    sockets = [socket.socket() for __ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _get(url, timeout=30):
    """(status, body) of a GET; an HTTP error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _children(pid):
    """Pids of the HTTP prefork workers of the server pid (its children, less the gevent worker that
    Odoo starts as `odoo-bin gevent`), from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                        args = cmdline.read().split(b"\0")
                except OSError:
                    continue
                if b"gevent" not in args:
                    children.append(int(entry))
    return children


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def servers(test_db):
    """Two prefork servers (HTTP only, no cron) on the test database; yields [(process, url)]."""
    started = []
    try:
        for name in ("a", "b"):
            port, gevent_port = _free_ports(2)
            log = ROOT / "var" / "log" / f"{test_db}.multiserver-{name}.log"
            proc = subprocess.Popen(
                [
                    sys.executable,
                    _env("ODOO_BIN"),
                    "-c",
                    _env("ODOO_CONF"),
                    "-d",
                    test_db,
                    f"--db-filter=^{test_db}$",
                    f"--http-port={port}",
                    f"--gevent-port={gevent_port}",
                    f"--logfile={log}",
                    f"--workers={WORKERS}",
                    "--max-cron-threads=0",
                    "--limit-time-real=120",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            started.append((proc, f"http://127.0.0.1:{port}", log))
        for proc, url, log in started:

            def up(proc=proc, url=url, log=log):
                if proc.poll() is not None:
                    pytest.fail(f"the server exited: see {log}")
                try:
                    return _get(f"{url}/web/login", timeout=5)[0] == 200
                except OSError:
                    return False

            _wait(up, 120, f"{url} to serve /web/login")
            _wait(lambda proc=proc: len(_children(proc.pid)) >= WORKERS, 30, "the prefork workers")
        yield [(proc, url) for proc, url, __ in started]
    finally:
        for proc, __, __ in started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, __, __ in started:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def test_cache_change_on_a_seen_by_every_worker_of_b(servers, test_db):
    """crm.support.ticket._intake_form_choices (ormcache, cleared by crm.support.cached.mixin): the
    public form's categories. Warm every worker of B, create a category through A: B's next request
    (whichever worker answers) lists it; archive it through A: B's next request no longer does."""
    (__, url_a), (__, url_b) = servers
    # Proves: both servers' workers have the form choices cached (many parallel GETs reach each worker).
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda __: _get(f"{url_b}/support/request")[0], range(12)))
    assert statuses == [200] * 12
    common = xmlrpc.client.ServerProxy(f"{url_a}/xmlrpc/2/common")
    uid = common.authenticate(test_db, "admin", "admin", {})
    assert uid
    models = xmlrpc.client.ServerProxy(f"{url_a}/xmlrpc/2/object")
    name = f"Multiserver category {uuid.uuid4().hex[:8]}"
    category_id = models.execute_kw(
        test_db, uid, "admin", "crm.support.category", "create", [{"name": name, "code": name[-8:]}]
    )
    try:
        # Proves: the registry cache cleared on A is signalled to B through the database; every
        # one of B's next requests (spread over its workers) shows the new category.
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            pages = list(pool.map(lambda __: _get(f"{url_b}/support/request"), range(12)))
        assert all(status == 200 for status, __ in pages)
        assert all(name in body for __, body in pages), "a worker of B served a stale category list"
        models.execute_kw(test_db, uid, "admin", "crm.support.category", "write", [[category_id], {"active": False}])
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            pages = list(pool.map(lambda __: _get(f"{url_b}/support/request"), range(12)))
        assert not any(name in body for __, body in pages), "a worker of B still lists the archived category"
    finally:
        models.execute_kw(test_db, uid, "admin", "crm.support.category", "write", [[category_id], {"active": False}])


def test_worker_killed_mid_flight_costs_no_other_answer(servers):
    """SIGKILL one prefork worker of A while requests are in flight on both servers (the victim may be
    busy or idle: /web/login is short): the master replaces it, every request of B is answered 200,
    and A answers again with a full pool."""
    (proc_a, url_a), (__, url_b) = servers
    victim = _children(proc_a.pid)[0]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        on_b = [pool.submit(_get, f"{url_b}/web/login") for __ in range(16)]
        on_a = [pool.submit(_get, f"{url_a}/web/login") for __ in range(4)]
        os.kill(victim, signal.SIGKILL)
        results_b = [f.result() for f in on_b]
        for future in on_a:
            # a request the killed worker held may be cut (the client would retry): only B's count
            with contextlib.suppress(OSError):
                future.result()
    # Proves: the other server is untouched by a worker's death (no 5xx, no refused connection).
    assert [status for status, __ in results_b] == [200] * 16
    # Proves: A's master replaced the worker and serves again (a new pid, WORKERS of them).
    _wait(
        lambda: victim not in _children(proc_a.pid) and len(_children(proc_a.pid)) >= WORKERS,
        30,
        "A's master to replace the killed worker",
    )
    assert all(_get(f"{url_a}/web/login")[0] == 200 for __ in range(6))


_QUEUE_RUNNER = """
import sys, odoo
odoo.tools.config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2], "--logfile", sys.argv[3]])
registry = odoo.modules.registry.Registry(sys.argv[2])
with registry.cursor() as cr:
    odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})["sms.sms"]._process_queue()
"""


class _Gateway:
    """A Twilio-style SMS gateway (http.server in a thread) that records every message it accepts."""

    def __init__(self):
        import json
        import threading
        import urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received = []
        lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
                with lock:
                    gateway.received.append(form.get("Body", [""])[0])
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"sid": uuid.uuid4().hex}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/Messages.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_sms_queue_run_by_two_processes_at_once_sends_each_once(servers, test_db):
    """Odoo's SMS queue (sms.sms._process_queue, the SMS cron's method) run by two processes at the
    same moment against a real local HTTP gateway: each queued message reaches the gateway exactly once
    (crm_support's _send locks the rows FOR UPDATE SKIP LOCKED), none is left queued."""
    (__, url_a), __ = servers
    common = xmlrpc.client.ServerProxy(f"{url_a}/xmlrpc/2/common")
    uid = common.authenticate(test_db, "admin", "admin", {})
    models = xmlrpc.client.ServerProxy(f"{url_a}/xmlrpc/2/object")

    def call(model, method, *args):
        return models.execute_kw(test_db, uid, "admin", model, method, list(args))

    gateway = _Gateway()
    run = uuid.uuid4().hex[:8]
    try:
        call("ir.config_parameter", "set_param", "crm_support.sms_gateway_url", gateway.url)
        bodies = [f"multiserver {run} #{i}" for i in range(60)]
        sms_ids = call(
            "sms.sms",
            "create",
            [{"number": f"+4479118{i:05d}", "body": body, "state": "outgoing"} for i, body in enumerate(bodies)],
        )
        runners = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _QUEUE_RUNNER,
                    _env("ODOO_CONF"),
                    test_db,
                    str(ROOT / "var" / "log" / f"{test_db}.multiserver-queue-{k}.log"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            for k in range(2)
        ]
        try:
            codes = [runner.wait(timeout=120) for runner in runners]
        finally:
            for runner in runners:
                if runner.poll() is None:
                    runner.kill()
                    runner.wait(timeout=10)
        mine = [body for body in gateway.received if f"multiserver {run} " in body]
        # Proves: nothing sent twice by two queue runners at once.
        assert sorted(mine) == sorted(set(mine)), f"{len(mine) - len(set(mine))} SMS sent twice"
        # Proves: nothing lost: every message reached the gateway, none is left queued.
        assert sorted(mine) == sorted(bodies)
        left = call("sms.sms", "search_count", [("id", "in", sms_ids), ("state", "=", "outgoing")])
        assert left == 0
        assert codes == [0, 0], (
            f"a queue runner failed (exit codes {codes}): see var/log/{test_db}.multiserver-queue-*.log"
        )
    finally:
        call("ir.config_parameter", "set_param", "crm_support.sms_gateway_url", "")
        gateway.close()
