# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime

from odoo.tests import freeze_time, tagged

from .common import LoyaltyCase

D = datetime.date


@tagged("post_install", "-at_install")
class TestExpiry(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.crm_expiry_months = 12

    def _ours(self, cards):
        # demo members may have points expiring too
        return cards.filtered(lambda c: c.program_id == self.program)

    def test_award_expiry_date(self):
        """Each award expires N months after it was earned; no expiry when the setting is empty."""
        with freeze_time("2026-05-10"):
            self.post("A", 10)
        self.assertEqual(self.card_alice.history_ids.expiry_date, D(2027, 5, 10))
        self.program.crm_expiry_months = 0
        with freeze_time("2026-05-11"):
            self.post("B", 10)
        self.assertFalse(self.card_alice.history_ids.filtered(lambda h: h.description.endswith("B")).expiry_date)

    def test_spending_consumes_soonest_expiring_first(self):
        """Redeeming takes the points that expire first; the cron then expires only what is left of later awards."""
        with freeze_time("2026-01-15"):
            self.post("JAN", 100)
        with freeze_time("2026-03-15"):
            self.post("MAR", 100)
        with freeze_time("2026-02-15"):
            self.post("FEB", 100)  # posted late, earned in February: expires before March's
        with freeze_time("2026-06-01"):
            self.card_alice._crm_redeem(150, "Cinema tickets")
        awards = {h.description.split()[-1]: h for h in self.card_alice.history_ids if h.crm_kind == "award"}
        self.assertEqual(
            (awards["JAN"].remaining_points, awards["FEB"].remaining_points, awards["MAR"].remaining_points),
            (0, 50, 100),
        )
        with freeze_time("2027-02-16"):
            self.env["loyalty.card"]._cron_expire_points()
        self.assertEqual(self.card_alice.points, 100)
        expiry = self.card_alice.history_ids.filtered(lambda h: h.crm_kind == "expiry")
        self.assertEqual((expiry.used, expiry.earned_date), (50, D(2027, 2, 16)))
        with freeze_time("2027-02-17"):
            self.env["loyalty.card"]._cron_expire_points()  # nothing new is due
        self.assertEqual(len(self.card_alice.history_ids.filtered(lambda h: h.crm_kind == "expiry")), 1)
        with freeze_time("2027-03-16"):
            self.env["loyalty.card"]._cron_expire_points()
        self.assertEqual(self.card_alice.points, 0)
        self.assertStatementMatchesBalance(self.card_alice)

    def test_expiry_notice_once_within_30_days(self):
        """Members hear once about points expiring in the next 30 days; the summary shows them."""
        with freeze_time("2026-01-15"):
            self.post("JAN", 120)
            self.post("JANB", 80, card=self.card_bob)
        with freeze_time("2026-12-01"):
            self.assertFalse(self._ours(self.env["loyalty.card"]._cron_expiry_notices()))
        with freeze_time("2026-12-20"):
            self.card_alice.invalidate_recordset()
            self.assertEqual(self.card_alice._crm_member_summary()["expiring_30_days"], 120)
            mails_before = self.env["mail.mail"].search_count([])
            notified = self._ours(self.env["loyalty.card"]._cron_expiry_notices())
            self.assertEqual(notified, self.card_alice | self.card_bob)
            mail = self.env["mail.mail"].search([("recipient_ids", "in", self.alice.ids)], order="id desc", limit=1)
            self.assertIn("120.0 points expire on 2027-01-15", mail.subject)
            self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + 2)
            sms = self.env["sms.sms"].search([("partner_id", "=", self.alice.id)])
            self.assertEqual(sms.number, "+447911123456")
            self.assertFalse(self._ours(self.env["loyalty.card"]._cron_expiry_notices()), "told once")

    def test_voucher_run(self):
        """The run turns whole blocks of 150 points into 1.50 vouchers, keeps the remainder and notes it."""
        self.post("A", 470)
        self.post("B", 149, card=self.card_bob)
        with freeze_time("2026-06-30"):
            vouchers = self.program._crm_run_vouchers()
        self.assertEqual(len(vouchers), 1, "Bob's 149 points are not a block")
        self.assertEqual(vouchers.partner_id, self.alice)
        self.assertEqual(vouchers.program_id, self.voucher_program)
        self.assertEqual(vouchers.points, 4.5)
        self.assertEqual(vouchers.expiration_date, D(2028, 6, 30))
        self.assertEqual(self.card_alice.points, 20)
        self.assertEqual(self.card_bob.points, 149)
        row = self.card_alice.history_ids.filtered(lambda h: h.crm_kind == "voucher")
        self.assertEqual(row.used, 450)
        self.assertIn(vouchers.code, row.description)
        self.assertEqual(self.program.crm_voucher_next_date, D(2026, 9, 30))
        self.assertStatementMatchesBalance(self.card_alice)

    def test_voucher_cron_runs_when_due(self):
        """The daily cron runs a programme's voucher run only once its next run date has come."""
        self.post("A", 300)
        self.program.crm_voucher_next_date = D(2026, 7, 1)
        with freeze_time("2026-06-30"):
            self.env["loyalty.program"]._cron_run_vouchers()
        self.assertEqual(self.card_alice.points, 300)
        with freeze_time("2026-07-01"):
            self.env["loyalty.program"]._cron_run_vouchers()
        self.assertEqual(self.card_alice.points, 0)
        self.assertEqual(self.program.crm_voucher_next_date, D(2026, 10, 1))

    def test_manual_adjustment_on_statement(self):
        """A manager's adjustment needs a reason and shows on the statement; a debit cannot go below zero."""
        self.post("A", 100)
        wizard = self.env["crm.loyalty.adjust"].with_user(self.loyalty_manager)
        wizard.create({"card_id": self.card_alice.id, "points": 25, "reason": "Late delivery"}).action_apply()
        self.assertEqual(self.card_alice.points, 125)
        row = self.card_alice.history_ids.filtered(lambda h: h.crm_kind == "adjustment")
        self.assertEqual(
            (row.issued, row.description, row.user_id), (25, "Adjustment: Late delivery", self.loyalty_manager)
        )
        self.assertEqual(row.qualifying_points, 0, "adjustments never count towards tiers")
        with self.assertRaisesRegex(Exception, "below zero"):
            wizard.create({"card_id": self.card_alice.id, "points": -200, "reason": "Oops"}).action_apply()
        wizard.create({"card_id": self.card_alice.id, "points": -125, "reason": "Fraud"}).action_apply()
        self.assertEqual(self.card_alice.points, 0)
        self.assertStatementMatchesBalance(self.card_alice)
