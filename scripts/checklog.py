# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Read an Odoo test-run log and decide whether the run is green.

Like OCA's checklog-odoo: Odoo's exit code says nothing about ERROR lines logged outside a test,
and a browser tour that cannot start is *skipped*, not failed. This script fails the run on:

* the result line ``N failed, N error(s) of N tests`` reporting failures or errors, or missing;
* any skipped test (``skipped <test> : <reason>``);
* any ERROR or CRITICAL log record not matched by ``IGNORED`` below.

It prints a short report and, with ``--json FILE``, writes the counts for ``make test``.
"""

import argparse
import json
import re
import sys

# Log records that are expected and harmless; keep this list short and explain each entry.
IGNORED = [
    # None yet: tests that provoke an error log silence it with mute_logger.
]

RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)$"
)
RESULT = re.compile(r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests")
RUNNER_RECORD = re.compile(r"^(FAIL|ERROR): |^At least one test failed")
SKIPPED = re.compile(r"^skipped (?P<test>\S+) : (?P<reason>.*)$")


def check(lines):
    """Return the summary dict of one log given as an iterable of lines."""
    summary = {"tests": 0, "failed": 0, "errors": 0, "result_found": False, "skipped": [], "log_errors": []}
    record = None
    for raw in lines:
        line = raw.rstrip("\n")
        m = RECORD.match(line)
        if not m:
            # Continuation line (traceback) of the previous record.
            if record is not None and record["level"] in ("ERROR", "CRITICAL"):
                record["text"] += "\n" + line
            continue
        record = {"level": m["level"], "logger": m["logger"], "text": m["msg"]}
        if m["logger"] == "odoo.tests.result" and (r := RESULT.search(m["msg"])):
            summary["result_found"] = True
            summary["tests"] += int(r["tests"])
            summary["failed"] += int(r["failed"])
            summary["errors"] += int(r["errors"])
            continue
        if s := SKIPPED.match(m["msg"]):
            summary["skipped"].append(f"{s['test']}: {s['reason']}")
        if m["level"] in ("ERROR", "CRITICAL") and not any(re.search(p, m["msg"]) for p in IGNORED):
            summary["log_errors"].append(record)
    # The runner's own records of a failing test are counted as failed tests, not again here.
    stray = [r for r in summary["log_errors"] if not RUNNER_RECORD.match(r["text"])]
    summary["log_errors"] = stray
    summary["stray_errors"] = len(stray)
    bad_tests = summary["failed"] + summary["errors"]
    summary["passed"] = max(summary["tests"] - bad_tests - len(summary["skipped"]), 0)
    summary["failed_total"] = bad_tests + len(summary["skipped"]) + summary["stray_errors"]
    if not summary["result_found"]:
        summary["failed_total"] += 1
    return summary


def main(argv=None):
    """Check the log named on the command line; exit 1 when the run is not green."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--json", help="write the counts to this file")
    args = parser.parse_args(argv)
    with open(args.log, encoding="utf-8", errors="replace") as f:
        summary = check(f)
    problems = []
    if not summary["result_found"]:
        problems.append("no test result line in the log: the server stopped before the tests ended")
    if summary["failed"] or summary["errors"]:
        problems.append(f"{summary['failed']} failed and {summary['errors']} erroring test(s)")
    for skipped in summary["skipped"]:
        problems.append(f"skipped test (a tour that did not run counts as failed): {skipped}")
    if summary["stray_errors"]:
        problems.append(f"{summary['stray_errors']} unexpected ERROR/CRITICAL log line(s)")
    for record in summary["log_errors"][:20]:
        print(f"--- {record['level']} {record['logger']}: {record['text'][:3000]}", file=sys.stderr)
    print(
        f"Odoo tests: {summary['tests']} run, {summary['failed']} failed, {summary['errors']} errors, "
        f"{len(summary['skipped'])} skipped, {summary['stray_errors']} unexpected log errors"
    )
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"passed": summary["passed"], "failed": summary["failed_total"], **summary}, f, indent=1)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
