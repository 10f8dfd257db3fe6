# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run the benchmarks of bench/bench_*.py against a real Odoo database and server.

Each ``bench/bench_<name>.py`` defines ``run(env, ctx)`` and returns a list of rows::

    {"name": "tier review, set-based, 1M members", "value": 41.2, "unit": "s",
     "goal": "<= 60 s", "met": True, "note": "..."}

``env`` is a superuser environment on the benchmark database (commit freely: it is dropped before
each ``make bench``); ``ctx`` holds ``scale`` ("full" or "small"), ``db``, ``registry`` and
``base_url`` of an Odoo server serving that database (started on first use of ``ctx.base_url``).
"""

import argparse
import datetime
import importlib.util
import json
import os
import pathlib
import platform
import socket
import subprocess
import sys
import time
import traceback
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent


class Context:
    """What a benchmark gets besides ``env``; HTTP servers start only when asked for."""

    def __init__(self, args, registry):
        self.scale = args.scale
        self.db = args.db
        self.registry = registry
        self._args = args
        self._servers = {}  # workers -> (process, output file, url)
        self.workers = 4

    @staticmethod
    def note(workers):
        """How a server of this many workers runs, for the notes of the rows measured on it."""
        return f"prefork, {workers} workers, no cron threads"

    @property
    def server_note(self):
        """How the benchmark server (base_url) runs."""
        return self.note(self.workers)

    @property
    def base_url(self):
        """URL of the benchmark server (self.workers prefork workers)."""
        return self.server_url(self.workers)

    def server_url(self, workers):
        """URL of a server of this many prefork workers on the benchmark database, started on first use."""
        # What this process committed may have cleared caches (routing rules, rosters): tell the
        # server's workers, as Odoo does at the end of a request, or they keep serving stale ones.
        self.registry.signal_changes()
        if workers in self._servers:
            return self._servers[workers][2]
        with socket.socket() as s, socket.socket() as g:
            s.bind(("127.0.0.1", 0))
            g.bind(("127.0.0.1", 0))
            port, gevent_port = s.getsockname()[1], g.getsockname()[1]
        log = HERE.parent / "var" / "log" / f"{self.db}-server-{workers}w.log"
        # The server's own output (and its children's) goes to its log, not into the benchmark table.
        output = open(log.with_suffix(".out"), "w")  # noqa: SIM115 - closed in close()
        server = subprocess.Popen(
            [
                sys.executable,
                self._args.odoo_bin,
                "-c",
                self._args.conf,
                # The database by name and no --db-filter, as crm_support's readme advises: a new visitor's
                # first request then does not list the server's databases on a new PostgreSQL connection.
                "-d",
                self.db,
                f"--http-port={port}",
                f"--gevent-port={gevent_port}",
                f"--logfile={log}",
                "--max-cron-threads=0",
                # Like a production deployment: prefork workers, each request in its own process
                # instead of threads sharing one interpreter lock.
                f"--workers={workers}",
                "--limit-time-cpu=600",
                "--limit-time-real=1200",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        self._servers[workers] = (server, output, url)
        for _ in range(180):
            try:
                with urllib.request.urlopen(f"{url}/web/login", timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"the benchmark server did not start: see {log}")
        return url

    def cpu_seconds(self, url):
        """(Odoo, PostgreSQL) CPU seconds used so far by the server at url (its main process and its
        workers) and by this machine's PostgreSQL processes (None if it has none); from /proc, so
        (None, None) off Linux."""
        if not pathlib.Path("/proc/self/stat").exists():
            return None, None
        stats = {}
        for entry in pathlib.Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    comm = (entry / "comm").read_text().strip()
                    # after the ")" closing the command name: state, ppid, ..., utime and stime (14th, 15th)
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:  # the process ended meanwhile
                    continue
                stats[int(entry.name)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])))
        server = next(proc.pid for proc, __, server_url in self._servers.values() if server_url == url)
        tick = os.sysconf("SC_CLK_TCK")
        odoo = sum(ticks for pid, (__, ppid, ticks) in stats.items() if server in (pid, ppid))
        postgres = [ticks for comm, __, ticks in stats.values() if comm.startswith("postgres")]
        # no PostgreSQL process here: the database runs on another machine, its CPU is not known
        return odoo / tick, sum(postgres) / tick if postgres else None

    def stop_server(self, workers):
        """Stop the server of this many workers (its processes would take CPU from the next measures)."""
        server, output, __ = self._servers.pop(workers, (None, None, None))
        if server:
            server.terminate()
            server.wait(timeout=30)
            output.close()

    def close(self):
        for workers in list(self._servers):
            self.stop_server(workers)


def main():
    """Run every benchmark (or those named with --only), print the table, write the JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--odoo-bin", required=True)
    parser.add_argument("--scale", default="full", choices=["full", "small"])
    parser.add_argument("--only")
    args = parser.parse_args()

    import odoo  # after parsing the arguments, so --help works without Odoo

    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    ctx = Context(args, registry)
    rows, started = [], datetime.datetime.now(datetime.timezone.utc)
    try:
        for path in sorted(HERE.glob("bench_*.py")):
            name = path.stem.removeprefix("bench_")
            if args.only and name not in args.only.split(","):
                continue
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            print(f"== {name} ({args.scale})", flush=True)
            t0 = time.perf_counter()
            try:
                with registry.cursor() as cr:
                    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                    for row in module.run(env, ctx):
                        rows.append({"bench": name, **row})
                        print(f"   {row['name']}: {row['value']} {row.get('unit', '')}", flush=True)
            except Exception:  # one broken benchmark must not hide the others
                traceback.print_exc()
                rows.append(
                    {
                        "bench": name,
                        "name": "benchmark crashed",
                        "value": None,
                        "unit": "",
                        "goal": "",
                        "met": False,
                        "note": "see the traceback above",
                    }
                )
            print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
    finally:
        ctx.close()

    width = max([len(r["name"]) for r in rows] + [10])
    print(f"\n{'bench':<12} {'measure':<{width}} {'value':>12} {'unit':<8} {'goal':<14} met")
    for r in rows:
        value = r["value"]
        value = "-" if value is None else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        met = {True: "yes", False: "NO", None: "-"}[r.get("met")]
        print(f"{r['bench']:<12} {r['name']:<{width}} {value:>12} {r.get('unit', ''):<8} {r.get('goal', ''):<14} {met}")
    out = HERE / "results" / f"{started:%Y%m%dT%H%M%SZ}-{args.scale}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "scale": args.scale,
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "node": platform.node(),
                },
                "rows": rows,
            },
            indent=1,
        )
    )
    print(f"\nwritten to {out.relative_to(HERE.parent)}")
    return 0 if all(r.get("met") is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
