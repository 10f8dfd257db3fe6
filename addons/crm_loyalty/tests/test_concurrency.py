# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import threading
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from .common import create_ba_programme

WORKERS = 20  # database connections in parallel (the machine's PostgreSQL is shared)


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    """Committed data, one cursor per thread: what two tills hitting one card at once really do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            program = create_ba_programme(env, name="Concurrency Club")
            partner = env["res.partner"].create({"name": "Concurrent Customer"})
            card = env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id})
            card._crm_award(1000, "Opening balance")
            self.ids = {
                "programs": (program | program.crm_voucher_program_id).ids,
                "partner": partner.id,
                "card": card.id,
                "member": card.member_number,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["loyalty.card"].browse(self.ids["card"]).unlink()
            programs = env["loyalty.program"].browse(self.ids["programs"])
            programs.write({"active": False})
            programs.unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _env(self, cr, context):
        # the registry's class lock is held by the test runner's thread: hand the registry over directly
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, context)

    def _in_new_cursor(self, func):
        """Run func(env) in its own transaction, retrying on serialisation failures like Odoo's RPC layer."""
        for _attempt in range(200):
            try:
                with self.registry.cursor() as cr:
                    return func(self._env(cr, {"tracking_disable": True}))
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                continue
        raise AssertionError("never got through")

    def _run_parallel(self, count, func):
        barrier = threading.Barrier(WORKERS)

        def task(i):
            if i < WORKERS:
                barrier.wait(timeout=30)
            try:
                return self._in_new_cursor(lambda env: func(env, i))
            except UserError as exc:
                return exc

        with mute_logger("odoo.sql_db"), ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(task, range(count)))

    def _card_state(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, {})
            card = env["loyalty.card"].browse(self.ids["card"])
            rows = card.history_ids
            return card.points, sum(rows.mapped("issued")) - sum(rows.mapped("used")), rows.read(["remaining_points"])

    def test_parallel_redemptions_never_overdraw(self):
        """50 redemptions of 30 points on 1,000 points at once: 33 pass, 17 are refused, never below zero."""

        def redeem(env, i):
            card = env["loyalty.card"].browse(self.ids["card"])
            card._crm_redeem(30, f"Redemption {i}")
            return True

        results = self._run_parallel(50, redeem)
        refused = [r for r in results if isinstance(r, UserError)]
        self.assertEqual(results.count(True), 33)
        self.assertEqual(len(refused), 17)
        self.assertIn("Not enough points", str(refused[0]))
        balance, statement_sum, rows = self._card_state()
        self.assertEqual(balance, 10)
        self.assertEqual(statement_sum, balance)
        self.assertEqual(sum(r["remaining_points"] for r in rows), balance)

    def test_same_reference_in_parallel_awards_once(self):
        """The same till reference posted 20 times at once gives one award; every caller gets the same posting."""

        def post(env, _i):
            return env["crm.loyalty.posting"].post(
                {
                    "member": self.ids["member"],
                    "amount": 250,
                    "channel": "store",
                    "external_ref": "PAR-1",
                    "source": "till",
                }
            )

        results = self._run_parallel(20, post)
        self.assertEqual({r["posting_id"] for r in results}, {results[0]["posting_id"]})
        self.assertEqual(sum(1 for r in results if not r["replayed"]), 1)
        balance, statement_sum, rows = self._card_state()
        self.assertEqual(balance, 1250)
        self.assertEqual(statement_sum, balance)
        self.assertEqual(len(rows), 2)
