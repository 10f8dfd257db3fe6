# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestPrivacy(LoyaltyCase):
    def test_export_contains_loyalty(self):
        """The rights-request export carries the member's cards, statement and tier history."""
        self.post("T-1", 3600)
        data = self.alice._vrm_export_data()
        loyalty = data["loyalty"]
        self.assertEqual(len(loyalty), 1)
        self.assertEqual(loyalty[0]["member_number"], self.card_alice.member_number)
        self.assertEqual(loyalty[0]["tier"], "Bronze")
        self.assertEqual(loyalty[0]["statement"][0]["description"], "Store purchase T-1")
        self.assertEqual([h["to"] for h in loyalty[0]["tier_history"]], ["Bronze", "Blue"])
        self.assertNotIn(self.card_bob.member_number, str(data))

    def test_export_has_the_whole_ledger(self):
        """The export carries every statement row, the purchases and refunds as posted, and the
        member's other cards (vouchers); the statement adds up to the balance."""
        self.post("T-1", 3600)
        self.post("T-2", 40, kind="refund", original_ref="T-1")
        self.post("B-1", 99, card=self.card_bob)
        voucher = self.env["loyalty.card"].create(
            {"program_id": self.voucher_program.id, "partner_id": self.alice.id, "points": 1.5}
        )
        (loyalty,) = self.alice._vrm_export_data()["loyalty"]
        self.assertEqual([p["external_ref"] for p in loyalty["postings"]], ["T-1", "T-2"])
        self.assertEqual(loyalty["postings"][1]["kind"], "refund")
        rows = loyalty["statement"]
        self.assertEqual(len(rows), len(self.card_alice.history_ids))
        self.assertAlmostEqual(sum(r["issued"] - r["used"] for r in rows), loyalty["balance"])
        cards = self.alice._vrm_export_data()["loyalty_cards"]
        self.assertEqual([c["code"] for c in cards], [voucher.code])
        self.assertNotIn("B-1", str(self.alice._vrm_export_data()))

    def test_anonymize_keeps_totals(self):
        """Erasure blanks the statement texts and tier reasons but keeps balances and point totals."""
        self.post("T-1", 3600)
        self.card_alice._crm_redeem(100, "Hotel night at Alice's favourite place")
        self.alice._vrm_anonymize()
        self.card_alice.invalidate_recordset()
        self.assertEqual(set(self.card_alice.history_ids.mapped("description")), {"(erased)"})
        self.assertEqual(set(self.card_alice.crm_tier_history_ids.mapped("reason")), {"(erased)"})
        self.assertEqual(self.card_alice.points, 3500)
        self.assertEqual(sum(self.card_alice.history_ids.mapped("qualifying_points")), 3600)
        self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])
