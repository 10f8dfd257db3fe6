# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import LoyaltyCase, create_ba_programme

D = datetime.date
# The test programme's qualification year starts on 1 April: on 15 June 2026 the period began on 1 April 2026.
TODAY = "2026-06-15 12:00:00"


@tagged("post_install", "-at_install")
class TestPostingGuards(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_program = create_ba_programme(cls.env, name="Other Club")
        cls.card_other = cls.env["loyalty.card"].create({"program_id": cls.other_program.id, "partner_id": cls.bob.id})
        groups = "base.group_user,crm_loyalty.group_loyalty_user"
        cls.till = new_test_user(cls.env, login="till_exec", groups=groups, name="Till 7")
        cls.till.crm_loyalty_program_ids = cls.program

    def _vals(self, ref, card=None, day=None, amount=100):
        return {
            "member": (card or self.card_alice).member_number,
            "amount": amount,
            "channel": "store",
            "external_ref": ref,
            "source": "till-7",
            **({"date": day.isoformat()} if day else {}),
        }

    def _post_as(self, user, ref, **kw):
        return self.posting.with_user(user).post(self._vals(ref, **kw))

    @freeze_time(TODAY)
    def test_dates_before_the_period_or_in_the_future_refused(self):
        """A till's purchase dated before the current qualification period or after today is refused in words,
        give or take the programme's grace days (3 by default); a batch with one such purchase posts nothing."""
        user = self.loyalty_user
        self.assertEqual(self.program.crm_posting_grace_days, 3)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self._post_as(user, "F-4", day=D(2026, 6, 19))
        with self.assertRaisesRegex(ValidationError, "before the current qualification period of Executive Club"):
            self._post_as(user, "P-4", day=D(2026, 3, 28))
        with self.assertRaisesRegex(ValidationError, "a loyalty manager can backfill it"):
            self._post_as(user, "P-1Y", day=D(2025, 6, 15))
        self.assertEqual(self.card_alice.points, 0)
        self._post_as(user, "F-3", day=D(2026, 6, 18))  # clock skew within the grace
        self._post_as(user, "P-3", day=D(2026, 3, 29))  # a late upload of last period's last days
        self._post_as(user, "TODAY")
        self.assertEqual(self.card_alice.points, 300)

        self.program.crm_posting_grace_days = 0
        with self.assertRaisesRegex(ValidationError, "before the current qualification period"):
            self._post_as(user, "P-0", day=D(2026, 3, 31))
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self._post_as(user, "F-0", day=D(2026, 6, 16))
        self._post_as(user, "P-START", day=D(2026, 4, 1))

        before = self.posting.search_count([])
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self.posting.with_user(user).post_batch(
                [self._vals("B-1"), self._vals("B-2", card=self.card_bob, day=D(2026, 7, 1))]
            )
        self.assertEqual(self.posting.search_count([]), before, "all or nothing")

    @freeze_time(TODAY)
    def test_manager_backfills_an_old_purchase_and_is_recorded(self):
        """A loyalty manager posts a purchase of a past period through the wizard: the statement row and the
        member's chatter say who did it and why; a loyalty user cannot open the wizard."""
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.backfill"].with_user(self.loyalty_user).create(
                {"card_id": self.card_alice.id, "amount": 100, "date": "2025-12-01", "reason": "x"}
            )
        Wizard = self.env["crm.loyalty.backfill"].with_user(self.loyalty_manager)
        form = Form(Wizard.with_context(active_model="loyalty.card", active_id=self.card_alice.id))
        form.date = D(2025, 12, 1)
        form.channel_id = self.program.crm_channel_ids.filtered(lambda c: c.code == "store")
        form.amount = 250
        form.external_ref = "R-2025-12-01"
        form.reason = "Till 7 was offline in December"
        form.save().action_apply()
        posting = self.posting.search([("external_ref", "=", "R-2025-12-01")])
        self.assertEqual(
            (posting.date, posting.amount, posting.create_uid), (D(2025, 12, 1), 250, self.loyalty_manager)
        )
        self.assertEqual(self.card_alice.points, 250)
        self.assertIn(
            f"Backfilled by {self.loyalty_manager.name} on 2026-06-15: Till 7 was offline in December",
            posting.history_id.description,
        )
        note = self.card_alice.message_ids.filtered(lambda m: "R-2025-12-01" in str(m.body))
        self.assertEqual(note.author_id, self.loyalty_manager.partner_id)
        self.assertIn("Backfilled by", str(note.body))

    def test_till_posts_only_to_its_programme(self):
        """A till's user limited to its programme posts and redeems for its members only: another programme's
        member is not found, in a single posting, a batch or a redemption; a limited manager is refused too."""
        self._post_as(self.till, "T-1")
        self.assertEqual(self.card_alice.points, 100)
        with self.assertRaisesRegex(UserError, "No loyalty member matches"):
            self._post_as(self.till, "T-2", card=self.card_other)
        with self.assertRaisesRegex(UserError, "No loyalty member matches"):
            self.posting.with_user(self.till).post_batch([self._vals("T-3"), self._vals("T-4", card=self.card_other)])
        self.posting.post(self._vals("OTHER-1", card=self.card_other))
        with self.assertRaises(AccessError):
            self.card_other.with_user(self.till)._crm_redeem(10, "Not mine")
        manager = self.loyalty_manager
        manager.crm_loyalty_program_ids = self.program
        with self.assertRaisesRegex(AccessError, "may post only to Executive Club, not to Other Club"):
            self._post_as(manager, "M-1", card=self.card_other)
        with self.assertRaisesRegex(AccessError, "may post only to Executive Club"):
            self.card_other.with_user(manager)._crm_redeem(10, "Not mine")
        self.card_other.invalidate_recordset()
        self.assertEqual((self.card_other.points, self.card_alice.points), (100, 100))
        # emptied, the list means every programme again, at once
        self.till.crm_loyalty_program_ids = False
        self._post_as(self.till, "T-5", card=self.card_other)

    def test_voucher_codes_only_of_members_served(self):
        """A limited till reads the members, statements and voucher codes of its programme only."""
        self.posting.post(self._vals("A-1", amount=300))
        self.posting.post(self._vals("O-1", card=self.card_other, amount=300))
        today = datetime.date.today()
        mine = self.program._crm_run_vouchers(today)
        theirs = self.other_program._crm_run_vouchers(today)
        self.assertTrue(mine and theirs)
        Card = self.env["loyalty.card"].with_user(self.till)
        self.assertEqual(Card.search([("code", "in", (mine | theirs).mapped("code"))]), mine)
        self.assertFalse(Card.search([("id", "=", self.card_other.id)]))
        with self.assertRaises(AccessError):
            theirs.with_user(self.till).read(["code"])
        self.assertFalse(
            self.env["loyalty.history"].with_user(self.till).search([("card_id", "=", self.card_other.id)])
        )
        self.assertFalse(self.posting.with_user(self.till).search([("card_id", "=", self.card_other.id)]))
        # an unlimited loyalty user serves every member of the company
        self.assertEqual(
            self.env["loyalty.card"].with_user(self.loyalty_user).search([("id", "in", (mine | theirs).ids)]),
            mine | theirs,
        )

    def test_member_lookup_respects_companies(self):
        """A member of another company's programme is not found by a loyalty user of this company."""
        company = self.env["res.company"].create({"name": "Other Airline"})
        program = create_ba_programme(self.env, name="Other Airline Club", company_id=company.id)
        card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": self.bob.id})
        with self.assertRaisesRegex(UserError, "No loyalty member matches"):
            self._post_as(self.loyalty_user, "C-1", card=card)
        with self.assertRaisesRegex(UserError, "No loyalty member matches"):
            self.posting.with_user(self.loyalty_user).post_batch([self._vals("C-2", card=card)])
        self.assertFalse(card.points)
