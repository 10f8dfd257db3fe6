# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase, create_ba_programme


@tagged("post_install", "-at_install")
class TestPosting(LoyaltyCase):
    def test_purchase_returns_result(self):
        """A till purchase of 42.70 in store earns 42 points, and the result says so."""
        result = self.post("T-1", 42.70)
        self.assertEqual(result["card_id"], self.card_alice.id)
        self.assertEqual(result["member_number"], self.card_alice.member_number)
        self.assertEqual((result["qualifying_points"], result["spendable_points"], result["balance"]), (42, 42, 42))
        self.assertEqual((result["tier"], result["replayed"]), ("Blue", False))
        posting = self.posting.browse(result["posting_id"])
        self.assertEqual(posting.history_id.posting_id, posting)
        self.assertEqual(self.card_alice.history_ids.description, "Store purchase T-1")

    def test_statement_rows_carry_reference_and_source(self):
        """A statement row says the receipt and the posting system as fields, and a loyalty user finds the rows
        of one receipt or one system by them (the description is only a label)."""
        self.post("T-7", 40)
        self.post("T-8", 60, source="web-shop")
        self.post("T-7-R", 40, kind="refund", original_ref="T-7", channel=None)
        History = self.env["loyalty.history"].with_user(self.loyalty_user)
        rows = History.search([("card_id", "=", self.card_alice.id)], order="id")
        self.assertEqual(
            [(r.crm_external_ref, r.crm_source) for r in rows],
            [("T-7", "till"), ("T-8", "web-shop"), ("T-7-R", "till")],
        )
        self.assertEqual(History.search([("crm_external_ref", "=", "T-8")]).issued, 60)
        self.assertEqual(len(History.search([("crm_source", "=", "till"), ("card_id", "=", self.card_alice.id)])), 2)
        card = self.card_alice.with_user(self.loyalty_user)
        self.assertEqual([r["external_ref"] for r in card._crm_statement(source="till")], ["T-7-R", "T-7"])

    def test_enrolment(self):
        """A loyalty user enrols a customer (member number given, entry tier); again is refused with the
        number; a portal customer cannot enrol; a user limited to another programme cannot enrol into this one."""
        carol = self.env["res.partner"].create({"name": "Carol New"})
        Card = self.env["loyalty.card"]
        with self.assertRaises(AccessError):
            Card.with_user(self.portal_alice).crm_enrol(self.program.id, carol.id)
        card = Card.with_user(self.loyalty_user).crm_enrol(self.program.id, carol.id)
        self.assertTrue(card.member_number)
        self.assertEqual((card.partner_id, card.tier_id), (carol, self.tiers["Blue"]))
        with self.assertRaisesRegex(ValidationError, card.member_number):
            Card.with_user(self.loyalty_user).crm_enrol(self.program.id, carol.id)
        other = create_ba_programme(self.env, name="Fuel Club")
        self.loyalty_user.crm_loyalty_program_ids = other
        dave = self.env["res.partner"].create({"name": "Dave New"})
        with self.assertRaises(UserError):
            Card.with_user(self.loyalty_user).crm_enrol(self.program.id, dave.id)
        self.assertEqual(Card.with_user(self.loyalty_user).crm_enrol(other.id, dave.id).program_id, other)
        self.assertEqual(Card.search_count([("partner_id", "in", (carol | dave).ids)]), 2)

    def test_fuel_one_point_per_two_units(self):
        """Fuel earns one point per two units spent."""
        result = self.post("F-1", 51, channel="fuel")
        self.assertEqual(result["spendable_points"], 25)

    def test_member_by_code_number_or_partner(self):
        """The member is found by card code, member number or customer id."""
        for i, member in enumerate([self.card_bob.code, self.card_bob.member_number, self.bob.id]):
            result = self.post(f"M-{i}", 10, member=member)
            self.assertEqual(result["card_id"], self.card_bob.id)

    def test_repeat_same_payload_is_replayed(self):
        """The same reference with the same payload returns the first result and creates nothing."""
        first = self.post("T-9", 100)
        rows = len(self.card_alice.history_ids)
        again = self.post("T-9", 100)
        self.assertTrue(again["replayed"])
        self.assertEqual(again["posting_id"], first["posting_id"])
        self.assertEqual(self.card_alice.points, 100)
        self.assertEqual(len(self.card_alice.history_ids), rows)

    def test_repeat_different_payload_refused(self):
        """The same reference with another amount is refused; another source may reuse the reference."""
        self.post("T-9", 100)
        with self.assertRaisesRegex(ValidationError, "already posted with different details"):
            self.post("T-9", 120)
        self.assertEqual(self.card_alice.points, 100)
        self.post("T-9", 120, source="webshop")
        self.assertEqual(self.card_alice.points, 220)

    def test_unique_constraint_in_database(self):
        """The database itself refuses a second posting with the same source and reference."""
        self.post("T-9", 100)
        posting = self.posting.search([("external_ref", "=", "T-9")])
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            posting.copy({"card_id": self.card_bob.id})

    def test_clear_errors(self):
        """Unknown member, zero or negative amounts, wrong currency, unknown channel and refunds without original."""
        cases = [
            ({"member": "NOPE"}, UserError, "No loyalty member matches"),
            ({"amount": 0}, ValidationError, "greater than zero"),
            ({"amount": -5}, ValidationError, "greater than zero"),
            ({"amount": "ten"}, ValidationError, "not a number"),
            ({"currency": "JPY"}, ValidationError, "not JPY"),
            ({"channel": "moon"}, ValidationError, "Unknown channel"),
            ({"kind": "refund"}, ValidationError, "needs the reference of the original"),
            ({"kind": "refund", "original_ref": "NEVER"}, UserError, "nothing to refund"),
            ({"kind": "gift"}, ValidationError, "purchase"),
        ]
        for i, (extra, error, message) in enumerate(cases):
            with self.subTest(extra=extra), self.assertRaisesRegex(error, message):
                self.post(f"E-{i}", extra.pop("amount", 10), **extra)
        self.assertEqual(self.card_alice.points, 0)
        self.assertFalse(self.posting.search([("source", "=", "till")]))

    def test_refund_reverses_once(self):
        """A refund reverses the purchase's tier and spendable points exactly once."""
        with freeze_time("2026-05-01"):
            self.post("T-1", 4000)
            self.post("T-2", 300)
            self.assertEqual(self.card_alice.crm_tier_points, 4300)
            result = self.post("RF-1", 4000, kind="refund", original_ref="T-1")
            self.assertEqual((result["qualifying_points"], result["spendable_points"]), (-4000, -4000))
            # T-2 was earned as Bronze (x1.25): 375 spendable points stay
            self.assertEqual(self.card_alice.points, 375)
            self.assertEqual(self.card_alice.crm_tier_points, 300)
            self.assertTrue(self.post("RF-1", 4000, kind="refund", original_ref="T-1")["replayed"])
            with self.assertRaisesRegex(ValidationError, "already refunded"):
                self.post("RF-2", 4000, kind="refund", original_ref="T-1")
            with self.assertRaisesRegex(ValidationError, "only 300.0 of purchase T-2"):
                self.post("RF-3", 300.01, kind="refund", original_ref="T-2")
        self.assertEqual(self.card_alice.points, 375)
        self.assertStatementMatchesBalance(self.card_alice)

    def test_partial_refunds_reverse_proportionally(self):
        """Partial refunds reverse their share of the points; together never more than the purchase earned."""
        card = self.card_alice
        with freeze_time("2026-05-01"):
            self.post("T-1", 4000)  # Blue when earned: 4000 tier and spendable points, now Bronze
            result = self.post("RF-1", 1000, kind="refund", original_ref="T-1")
            self.assertEqual((result["qualifying_points"], result["spendable_points"]), (-1000, -1000))
            self.assertEqual((card.points, card.crm_tier_points), (3000, 3000))
            # the same reference rules: a repeat is replayed, a changed repeat refused
            self.assertTrue(self.post("RF-1", 1000, kind="refund", original_ref="T-1")["replayed"])
            with self.assertRaisesRegex(ValidationError, "different details"):
                self.post("RF-1", 999, kind="refund", original_ref="T-1")
            # a third of what is left: 1333.33 of 4000 is 33.33 %, rounded down on the running total
            result = self.post("RF-2", 1333.33, kind="refund", original_ref="T-1")
            self.assertEqual(result["qualifying_points"], -1333)
            with self.assertRaisesRegex(ValidationError, "only 1666.67 of purchase T-1"):
                self.post("RF-3", 1666.68, kind="refund", original_ref="T-1")
            # the last part brings back exactly what is left of the award
            result = self.post("RF-3", 1666.67, kind="refund", original_ref="T-1")
            self.assertEqual(result["qualifying_points"], -1667)
            self.assertEqual((card.points, card.crm_tier_points), (0, 0))
            with self.assertRaisesRegex(ValidationError, "already refunded by RF-1, RF-2, RF-3"):
                self.post("RF-4", 1, kind="refund", original_ref="T-1")
        original = self.posting.search([("external_ref", "=", "T-1")])
        self.assertEqual(original.refunded_amount, 4000)
        self.assertEqual(original.refund_id.external_ref, "RF-3")
        self.assertEqual(sorted(original.refund_ids.mapped("qualifying_points")), [-1667, -1333, -1000])
        self.assertStatementMatchesBalance(card)

    def test_partial_refund_with_multiplier_and_spent_points(self):
        """A Gold purchase half refunded takes back half the doubled points, from a balance partly spent."""
        self.card_alice._crm_set_tier(self.tiers["Gold"], "Test", "manual")
        self.post("T-1", 101)  # 101 tier points, 202 spendable
        self.card_alice._crm_redeem(150, "Reward")
        result = self.post("RF-1", 50.5, kind="refund", original_ref="T-1")
        self.assertEqual((result["qualifying_points"], result["spendable_points"]), (-50, -101))
        self.assertEqual(self.card_alice.points, -49)
        result = self.post("RF-2", 50.5, kind="refund", original_ref="T-1")
        self.assertEqual((result["qualifying_points"], result["spendable_points"]), (-51, -101))
        self.assertEqual(self.card_alice.points, -150)
        self.assertStatementMatchesBalance(self.card_alice)

    def test_refunds_never_exceed_purchase_in_database(self):
        """The database refuses a refunded amount above the purchase, whatever the caller."""
        self.post("T-1", 100)
        original = self.posting.search([("external_ref", "=", "T-1")])
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            original.write({"refunded_amount": 100.5})
            original.flush_recordset()

    def test_refunds_from_before_partial_refunds_stay_refunded(self):
        """A purchase refunded before partial refunds existed (no refunded amount) cannot be refunded again."""
        self.post("T-1", 100)
        self.post("RF-1", 100, kind="refund", original_ref="T-1")
        original = self.posting.search([("external_ref", "=", "T-1")])
        original.flush_recordset()
        self.env.cr.execute("UPDATE crm_loyalty_posting SET refunded_amount = NULL WHERE id = %s", [original.id])
        self.posting.init()  # what an upgrade of the module runs
        original.invalidate_recordset()
        self.assertEqual(original.refunded_amount, 100)
        with self.assertRaisesRegex(ValidationError, "already refunded by RF-1"):
            self.post("RF-2", 100, kind="refund", original_ref="T-1")

    def test_refund_of_partly_spent_points_goes_negative(self):
        """Refunding a purchase whose points were partly spent leaves a negative balance (programme setting)."""
        self.post("T-1", 100)
        self.card_alice._crm_redeem(80, "Reward")
        self.post("RF-1", 100, kind="refund", original_ref="T-1")
        self.assertEqual(self.card_alice.points, -80)
        self.assertStatementMatchesBalance(self.card_alice)
        # the next purchase pays the debt back first
        self.post("T-2", 100)
        self.assertEqual(self.card_alice.points, 20)
        self.assertStatementMatchesBalance(self.card_alice)
        with self.assertRaises(UserError):
            self.card_alice._crm_redeem(21, "Too much")

    def test_refund_claws_back_unused_voucher(self):
        """With claw-back, a refund of points already turned into a voucher cancels the unused voucher."""
        self.program.crm_refund_policy = "clawback"
        self.post("T-1", 320)
        vouchers = self.program._crm_run_vouchers(datetime.date.today())
        self.assertEqual((vouchers.points, self.card_alice.points), (3.0, 20))
        self.post("RF-1", 320, kind="refund", original_ref="T-1")
        self.assertFalse(vouchers.active)
        self.assertEqual(vouchers.points, 0)
        # 300 points came back from the voucher, 320 were reversed
        self.assertEqual(self.card_alice.points, 0)
        self.assertStatementMatchesBalance(self.card_alice)
        self.assertIn("clawback", self.card_alice.history_ids.mapped("crm_kind"))

    def test_refund_with_multiplier_reverses_what_was_given(self):
        """A Gold member's refund takes back the doubled spendable points the purchase gave."""
        self.card_alice._crm_set_tier(self.tiers["Gold"], "Test", "manual")
        self.post("T-1", 100)
        self.assertEqual(self.card_alice.points, 200)
        self.post("RF-1", 100, kind="refund", original_ref="T-1")
        self.assertEqual(self.card_alice.points, 0)

    def test_refund_for_other_member_refused(self):
        """A refund cannot reverse another member's purchase."""
        self.post("T-1", 100)
        with self.assertRaisesRegex(UserError, "nothing to refund"):
            self.post("RF-1", 100, card=self.card_bob, kind="refund", original_ref="T-1")

    def test_posting_access(self):
        """Loyalty users may post; a portal customer calling the method is refused."""
        vals = {
            "member": self.card_alice.member_number,
            "amount": 10,
            "channel": "store",
            "external_ref": "P1",
            "source": "till",
        }
        self.posting.with_user(self.loyalty_user).post(vals)
        with self.assertRaises(AccessError):
            self.posting.with_user(self.portal_alice).post({**vals, "external_ref": "P2"})
        self.assertEqual(self.card_alice.points, 10)

    def test_batch_posting(self):
        """A batch posts like single calls: results in order, replays inside and across batches, multipliers."""
        self.card_bob._crm_set_tier(self.tiers["Gold"], "Test", "manual")
        self.post("T-0", 10)
        self.today = datetime.date.today().isoformat()

        def vals(ref, member, amount, **extra):
            return {
                "member": member,
                "amount": amount,
                "channel": "store",
                "external_ref": ref,
                "source": "till",
                **extra,
            }

        batch = [
            vals("B-1", self.card_alice.member_number, 3600),
            vals("B-2", self.card_bob.code, 100),
            vals("B-1", self.card_alice.member_number, 3600),  # repeated inside the batch
            # already posted by the till with the same payload
            vals(
                "T-0",
                self.card_alice.member_number,
                10,
                date=datetime.date.today().isoformat(),
                currency=self.program.currency_id.name,
            ),
            vals("B-3", self.bob.id, 50, channel="fuel"),  # customer id: posted one by one
        ]
        results = self.posting.post_batch(batch)
        self.assertEqual([r["replayed"] for r in results], [False, False, True, True, False])
        self.assertEqual(results[0]["posting_id"], results[2]["posting_id"])
        self.assertEqual((results[0]["qualifying_points"], results[0]["tier"]), (3600, "Bronze"))
        self.assertEqual(results[1]["spendable_points"], 200)
        self.assertEqual(self.card_alice.points, 3610)
        self.assertEqual(self.card_bob.points, 250)
        self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])
        self.assertStatementMatchesBalance(self.card_alice)
        self.assertStatementMatchesBalance(self.card_bob)
        self.assertTrue(all(r["replayed"] for r in self.posting.post_batch(batch[:2])))

    def test_points_reach_message_of_odoo_sent_by_postings(self):
        """Odoo's "when reaching N points" message of a programme goes out when a till posting crosses N, once."""
        template = self.env["mail.template"].create(
            {
                "name": "100 points reached",
                "model_id": self.env["ir.model"]._get_id("loyalty.card"),
                "subject": "You have 100 points",
                "email_to": "{{ object.partner_id.email }}",
            }
        )
        self.program.communication_plan_ids = [
            (0, 0, {"trigger": "points_reach", "points": 100, "mail_template_id": template.id})
        ]

        def sent():
            return self.env["mail.mail"].search_count(
                [
                    ("model", "=", "loyalty.card"),
                    ("res_id", "=", self.card_alice.id),
                    ("subject", "=", template.subject),
                ]
            )

        self.post("M-1", 60)
        self.assertEqual(sent(), 0)
        self.posting.post_batch(
            [
                {
                    "member": self.card_alice.member_number,
                    "amount": 50,
                    "channel": "store",
                    "external_ref": "M-2",
                    "source": "till",
                }
            ]
        )
        self.assertEqual(sent(), 1)
        self.post("M-3", 50)
        self.assertEqual(sent(), 1, "crossed once")

    def test_batch_is_all_or_nothing(self):
        """One bad purchase refuses the whole batch; a changed repeat is refused too."""
        good = {
            "member": self.card_alice.member_number,
            "amount": 10,
            "channel": "store",
            "external_ref": "G1",
            "source": "till",
        }
        with self.assertRaisesRegex(ValidationError, "greater than zero"), self.env.cr.savepoint():
            self.posting.post_batch([good, {**good, "external_ref": "G2", "amount": 0}])
        self.assertFalse(self.posting.search([("external_ref", "in", ["G1", "G2"])]))
        with self.assertRaisesRegex(ValidationError, "different details"), self.env.cr.savepoint():
            self.posting.post_batch([good, {**good, "amount": 11}])
        self.assertEqual(self.card_alice.points, 0)
