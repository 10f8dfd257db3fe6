# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""crm_api over real HTTP: purchase posting and ticket creation with 10 concurrent clients.

Each client is a thread with its own HTTP session and API key owner, sending POSTs with a fresh
Idempotency-Key; latencies are measured client-side (p50/p95), throughput as requests per second
of wall time for the whole run.
"""

import statistics
import threading
import time
import uuid

import requests

CLIENTS = 10


def _percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _setup(env, scale):
    """A loyalty programme with a store channel, members, one till user and one support user with keys."""
    members = 50 if scale == "small" else 500
    program = env["loyalty.program"].create(
        {
            "name": "Bench Club",
            "program_type": "loyalty",
            "crm_tier_ids": [(0, 0, {"name": "Blue", "sequence": 1, "qualify_points": 0, "earn_multiplier": 1})],
            "crm_channel_ids": [(0, 0, {"code": "store", "name": "Store", "points_per_unit": 1})],
        }
    )
    partners = env["res.partner"].create([{"name": f"Bench member {i}"} for i in range(members)])
    cards = env["loyalty.card"].create([{"program_id": program.id, "partner_id": p.id} for p in partners])
    loyalty_group = env.ref("crm_loyalty.group_loyalty_user")
    support_group = env.ref("crm_support.group_support_user")
    keys = {}
    for kind, group in (("till", loyalty_group), ("support", support_group)):
        for i in range(CLIENTS):
            user = env["res.users"].create(
                {"name": f"Bench {kind} {i}", "login": f"bench_{kind}_{i}", "groups_id": [(6, 0, group.ids)]}
            )
            key = env["res.users.apikeys"].with_user(user).sudo()._generate("rpc", "bench", None)
            keys.setdefault(kind, []).append(key)
    env.cr.commit()
    return program, cards.mapped("member_number"), keys


def _run_clients(base_url, path, keys, requests_per_client, make_payload):
    latencies, errors = [], []
    lock = threading.Lock()

    def client(index):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {keys[index]}"
        own = []
        for n in range(requests_per_client):
            payload = make_payload(index, n)
            t0 = time.perf_counter()
            response = session.post(
                base_url + path, json=payload, headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=120
            )
            elapsed = time.perf_counter() - t0
            if response.status_code >= 300:
                with lock:
                    errors.append(f"{response.status_code} {response.text[:200]}")
            own.append(elapsed)
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return latencies, errors, wall


def _rows(label, latencies, errors, wall, server_note):
    """Latency and throughput are reported, not judged (no target in the issue; they depend on
    the server's workers and the machine); failed requests are."""
    p50 = statistics.median(latencies) * 1000
    p95 = _percentile(latencies, 95) * 1000
    rps = len(latencies) / wall
    note = f"{len(latencies)} requests, {CLIENTS} concurrent clients; server: {server_note}"
    row = {"unit": "ms", "goal": "-", "met": None, "note": note}
    return [
        {**row, "name": f"{label} p50", "value": round(p50, 1)},
        {**row, "name": f"{label} p95", "value": round(p95, 1)},
        {**row, "name": f"{label} throughput", "value": round(rps, 1), "unit": "req/s"},
        {
            "name": f"{label} failed requests",
            "value": len(errors),
            "unit": "",
            "goal": "0",
            "met": not errors,
            "note": errors[0] if errors else note,
        },
    ]


def run(env, ctx):
    """Post purchases and open tickets over HTTP; report p50/p95 and requests per second."""
    per_client = 20 if ctx.scale == "small" else 100
    program, member_numbers, keys = _setup(env, ctx.scale)
    base = ctx.base_url + "/api/v1"
    # Warm-up (routing map, FastAPI app, registry caches) outside the measures.
    requests.get(base + "/openapi.json", timeout=120)
    currency = program.currency_id.name
    run_id = uuid.uuid4().hex[:8]

    def posting(index, n):
        return {
            "member": member_numbers[(index * per_client + n) % len(member_numbers)],
            "amount": 10 + n,
            "currency": currency,
            "channel": "store",
            "external_ref": f"{run_id}-{index}-{n}",
            "source": f"till-{index}",
        }

    def ticket(index, n):
        return {
            "subject": f"Bench request {index}-{n}",
            "email": f"bench{index}x{n}@example.com",
            "description": "Cracked windscreen",
        }

    rows = []
    latencies, errors, wall = _run_clients(base, "/loyalty/postings", keys["till"], per_client, posting)
    rows += _rows("purchase posting", latencies, errors, wall, ctx.server_note)
    latencies, errors, wall = _run_clients(base, "/support/tickets", keys["support"], per_client, ticket)
    rows += _rows("ticket creation", latencies, errors, wall, ctx.server_note)
    return rows
