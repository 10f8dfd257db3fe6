# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged

from .common import LoyaltyCase, create_ba_programme

D = datetime.date


@tagged("post_install", "-at_install")
class TestTiers(LoyaltyCase):
    def test_new_member_starts_on_entry_tier(self):
        """A new card gets a member number and the entry tier, recorded as a join in its tier history."""
        self.assertTrue(self.card_alice.member_number.startswith("M"))
        self.assertNotEqual(self.card_alice.member_number, self.card_bob.member_number)
        self.assertEqual(self.card_alice.tier_id, self.tiers["Blue"])
        self.assertEqual(self.card_alice.crm_tier_history_ids.change_type, "join")

    def test_members_join_from_their_programme(self):
        """Members offers no "New" (a card needs its programme); from the programme's cards a loyalty
        manager enrols a customer, who gets a member number and the entry tier; a card without a
        programme is refused in words."""
        members = self.env.ref("crm_loyalty.action_crm_loyalty_members")
        Card = self.env["loyalty.card"].with_user(self.loyalty_manager)
        views = Card.get_views(
            [(view.view_id.id, view.view_mode) for view in members.view_ids if view.view_mode in ("list", "form")]
        )["views"]
        for view in views.values():
            self.assertIn(etree.fromstring(view["arch"]).get("create"), ("0", "false", "False"))
        carol = self.env["res.partner"].create({"name": "Carol Member", "email": "carol@example.com"})
        card = Card.with_context(active_id=self.program.id).create({"partner_id": carol.id})
        self.assertTrue(card.member_number)
        self.assertEqual(card.tier_id, self.tiers["Blue"])
        with self.assertRaisesRegex(UserError, "programme"):
            Card.create({"partner_id": carol.id})

    @freeze_time("2026-05-10")
    def test_upgrade_when_threshold_crossed(self):
        """Crossing a threshold upgrades in the same transaction, with from/to/why/by whom in the history."""
        self.post("R1", 3499)
        self.assertEqual(self.card_alice.tier_id, self.tiers["Blue"])
        result = self.post("R2", 1)
        self.assertEqual(result["tier"], "Bronze")
        self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])
        change = self.card_alice.crm_tier_history_ids.filtered(lambda h: h.change_type == "upgrade")
        self.assertEqual((change.from_tier_id, change.to_tier_id), (self.tiers["Blue"], self.tiers["Bronze"]))
        self.assertIn("3500", change.reason)
        self.assertEqual(change.user_id, self.env.user)

    @freeze_time("2026-05-10")
    def test_big_award_jumps_to_highest_tier_reached(self):
        """One award above the Silver threshold goes straight to Silver, never to invitation-only Premier."""
        self.post("R1", 8000)
        self.assertEqual(self.card_alice.tier_id, self.tiers["Silver"])
        self.post("R2", 50000)
        self.assertEqual(self.card_alice.tier_id, self.tiers["Gold"])

    def test_multiplier_on_spendable_points_only(self):
        """The tier multiplier scales spendable points of every award; tier points stay as earned."""
        with freeze_time("2026-05-10"):
            self.post("R1", 8000)  # Blue when earned: x1
            self.assertEqual(self.card_alice.points, 8000)
            result = self.post("R2", 100)  # now Silver: x1.5
        self.assertEqual((result["qualifying_points"], result["spendable_points"]), (100, 150))
        self.assertEqual(self.card_alice.points, 8150)
        self.assertEqual(self.card_alice.crm_tier_points, 0 if datetime.date.today() > D(2027, 3, 31) else 8100)
        self.assertStatementMatchesBalance(self.card_alice)

    @freeze_time("2026-06-01")
    def test_multiplier_applies_to_odoo_flows(self):
        """Points Odoo's own flows write (sale/POS: a history row plus a points change) get the multiplier too."""
        self.card_alice._crm_set_tier(self.tiers["Gold"], "Test", "manual")
        # what sale_loyalty / pos_loyalty do on a confirmed order
        self.env["loyalty.history"].create(
            {"card_id": self.card_alice.id, "description": "Order S00042", "issued": 40, "used": 0}
        )
        self.card_alice.points += 40
        row = self.card_alice.history_ids.filtered(lambda h: h.description == "Order S00042")
        self.assertEqual((row.issued, row.qualifying_points, row.crm_bonus_points), (80, 40, 40))
        self.assertEqual(self.card_alice.points, 80)
        self.assertEqual(self.card_alice.crm_tier_points, 40)
        self.assertStatementMatchesBalance(self.card_alice)
        # Odoo cancels the order: the history row goes, and the bonus with it
        row.unlink()
        self.card_alice.points -= 40
        self.assertEqual(self.card_alice.points, 0)

    @freeze_time("2026-06-01")
    def test_odoo_flow_spending_consumes_fifo(self):
        """Points an Odoo order spends (on creation or added later to its row) consume the oldest awards first."""
        self.post("T-1", 100, day=datetime.date(2026, 1, 5))
        self.post("T-2", 100)
        row = self.env["loyalty.history"].create({"card_id": self.card_alice.id, "description": "S0001", "used": 60})
        self.card_alice.points -= 60
        row.used = 130  # a reward line added to the confirmed order
        self.card_alice.points -= 70
        awards = self.card_alice.history_ids.filtered(lambda h: h.crm_kind == "award").sorted("earned_date")
        self.assertEqual(awards.mapped("remaining_points"), [0, 70])
        self.assertStatementMatchesBalance(self.card_alice)

    @freeze_time("2026-06-01")
    def test_odoo_flow_award_upgrades(self):
        """An award from an Odoo order that crosses a threshold upgrades immediately."""
        self.env["loyalty.history"].create({"card_id": self.card_bob.id, "description": "POS/0001", "issued": 3600})
        self.card_bob.points += 3600
        self.assertEqual(self.card_bob.tier_id, self.tiers["Bronze"])

    def test_simulated_year_fixed_april_start(self):
        """A year of a fixed 1 April period: upgrades during the year, review on 1 April, points reset."""
        with freeze_time("2026-04-15"):
            self.post("A1", 4000)
            self.post("B1", 8000, card=self.card_bob)
            self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])
            self.assertEqual(self.card_bob.tier_id, self.tiers["Silver"])
            self.assertEqual(self.card_alice.crm_period_end, D(2027, 3, 31))
            self.assertEqual(self.card_alice.crm_next_review_date, D(2027, 4, 1))
        with freeze_time("2026-12-20"):
            self.post("A2", 3600)  # 7600 this period
            self.assertEqual(self.card_alice.tier_id, self.tiers["Silver"])
        with freeze_time("2027-03-31"):
            self.env["loyalty.program"]._cron_review_tiers()  # first run only anchors the period
            self.assertEqual(self.program.crm_last_review_date, D(2026, 4, 1))
            self.assertEqual(self.card_alice.tier_id, self.tiers["Silver"])
        with freeze_time("2027-04-01"):
            self.env["loyalty.program"]._cron_review_tiers()
            self.assertEqual(self.program.crm_last_review_date, D(2027, 4, 1))
            # both earned above Silver retention (6500) in the year that ended
            self.assertEqual(self.card_alice.tier_id, self.tiers["Silver"])
            self.assertEqual(self.card_bob.tier_id, self.tiers["Silver"])
            self.card_alice.invalidate_recordset()
            self.assertEqual(self.card_alice.crm_tier_points, 0)
            self.post("A3", 3000)
            self.assertEqual(self.card_alice.crm_tier_points, 3000)
            self.assertEqual(self.card_alice.tier_id, self.tiers["Silver"])
        with freeze_time("2028-04-01"):
            self.env["loyalty.program"]._cron_review_tiers()
            # Alice earned 3000 < 6500: one tier down; Bob earned nothing: one tier down too (soft landing)
            self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])
            self.assertEqual(self.card_bob.tier_id, self.tiers["Bronze"])
            self.env["loyalty.program"]._cron_review_tiers()  # same day again: nothing more happens
            self.assertEqual(self.card_bob.tier_id, self.tiers["Bronze"])
        with freeze_time("2029-04-01"):
            self.env["loyalty.program"]._cron_review_tiers()
            self.assertEqual(self.card_bob.tier_id, self.tiers["Blue"])
            landing = self.card_bob.crm_tier_history_ids.filtered(lambda h: h.change_type == "downgrade")
            self.assertEqual(len(landing), 2)
            self.assertEqual(
                landing.mapped(lambda h: (h.from_tier_id.name, h.to_tier_id.name)),
                [("Bronze", "Blue"), ("Silver", "Bronze")],
            )

    def test_soft_landing_exactly_one_tier_and_retention(self):
        """Gold members below 15,000 drop to Silver only; Gold members with 16,000 (under 20,000) keep Gold."""
        with freeze_time("2026-05-01"):
            self.post("A1", 21000)
            self.post("B1", 21000, card=self.card_bob)
        with freeze_time("2027-05-01"):
            self.post("A2", 16000)  # retention 15,000 met
        with freeze_time("2028-04-01"):
            self.program._crm_review_tiers()
        self.assertEqual(self.card_alice.tier_id, self.tiers["Gold"])
        self.assertEqual(self.card_bob.tier_id, self.tiers["Silver"])
        row = self.card_bob.crm_tier_history_ids.filtered(lambda h: h.change_type == "downgrade")
        self.assertEqual(
            (row.change_type, row.from_tier_id, row.to_tier_id), ("downgrade", self.tiers["Gold"], self.tiers["Silver"])
        )
        self.assertIn("2027-04-01", row.reason)

    def test_invitation_tier_set_by_manager_and_kept(self):
        """A manager invites to Premier with a reason; the review keeps invitation-only members where they are."""
        wizard = Form(
            self.env["crm.loyalty.adjust"]
            .with_user(self.loyalty_manager)
            .with_context(active_model="loyalty.card", active_id=self.card_alice.id)
        )
        wizard.mode = "tier"
        wizard.tier_id = self.tiers["Premier"]
        wizard.reason = "Chairman's guest"
        wizard.save().action_apply()
        self.assertEqual(self.card_alice.tier_id, self.tiers["Premier"])
        row = self.card_alice.crm_tier_history_ids[0]
        self.assertEqual(
            (row.change_type, row.reason, row.user_id), ("invitation", "Chairman's guest", self.loyalty_manager)
        )
        with freeze_time("2026-06-01"):
            self.post("A1", 30000)  # more than Gold: still Premier
        self.assertEqual(self.card_alice.tier_id, self.tiers["Premier"])
        with freeze_time("2028-04-01"):
            self.program._crm_review_tiers()
        self.assertEqual(self.card_alice.tier_id, self.tiers["Premier"])

    def test_only_managers_change_tiers(self):
        """A loyalty user can neither open the adjustment wizard nor set a tier through it."""
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.adjust"].with_user(self.loyalty_user).create(
                {"card_id": self.card_alice.id, "mode": "tier", "tier_id": self.tiers["Gold"].id, "reason": "x"}
            )
        wizard = self.env["crm.loyalty.adjust"].create(
            {"card_id": self.card_alice.id, "mode": "tier", "tier_id": self.tiers["Gold"].id, "reason": "x"}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.loyalty_user).action_apply()
        self.assertEqual(self.card_alice.tier_id, self.tiers["Blue"])
        with self.assertRaises(UserError):
            self.card_alice._crm_set_tier(self.tiers["Gold"], "", "manual")

    def test_period_bounds(self):
        """Calendar year, fixed 1 April start and rolling 12 months give the right qualification periods."""
        program = self.program
        self.assertEqual(program._crm_period_bounds(D(2026, 3, 31)), (D(2025, 4, 1), D(2026, 3, 31)))
        self.assertEqual(program._crm_period_bounds(D(2026, 4, 1)), (D(2026, 4, 1), D(2027, 3, 31)))
        program.crm_qualification_period = "calendar"
        self.assertEqual(program._crm_period_bounds(D(2026, 3, 31)), (D(2026, 1, 1), D(2026, 12, 31)))
        self.assertEqual(program._crm_next_review_date(D(2026, 3, 31)), D(2027, 1, 1))
        program.crm_qualification_period = "rolling"
        self.assertEqual(program._crm_period_bounds(D(2026, 3, 31)), (D(2025, 4, 1), D(2026, 3, 31)))
        self.assertEqual(program._crm_next_review_date(D(2026, 3, 15)), D(2026, 4, 1))

    def test_calendar_year_programme_over_a_year(self):
        """On a calendar-year programme, points of December do not count after 1 January's review."""
        program = create_ba_programme(self.env, name="Calendar Club", crm_qualification_period="calendar")
        card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": self.bob.id})
        bronze = program.crm_tier_ids.filtered(lambda t: t.name == "Bronze")
        with freeze_time("2026-12-30"):
            self.post("C1", 3600, card=card)
            self.assertEqual(card.tier_id, bronze)
            self.env["loyalty.program"]._cron_review_tiers()
        with freeze_time("2027-01-01"):
            card.invalidate_recordset()
            self.assertEqual(card.crm_tier_points, 0)
            self.env["loyalty.program"]._cron_review_tiers()
            self.assertEqual(card.tier_id, bronze, "3600 earned in 2026 retain Bronze (3000)")
        with freeze_time("2028-01-01"):
            self.env["loyalty.program"]._cron_review_tiers()
            self.assertEqual(card.tier_id.name, "Blue")

    def test_rolling_twelve_months(self):
        """On a rolling programme the points of the last 12 months count; older ones drop out."""
        program = create_ba_programme(self.env, name="Rolling Club", crm_qualification_period="rolling")
        card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": self.bob.id})
        with freeze_time("2026-02-10"):
            self.post("R1", 4000, card=card)
            self.assertEqual(card.tier_id.name, "Bronze")
        with freeze_time("2027-02-09"):
            card.invalidate_recordset()
            self.assertEqual(card.crm_tier_points, 4000)
        with freeze_time("2027-02-11"):
            card.invalidate_recordset()
            self.assertEqual(card.crm_tier_points, 0)
            program.crm_last_review_date = D(2027, 2, 1)
            self.env["loyalty.program"]._cron_review_tiers()
            self.assertEqual(card.tier_id.name, "Bronze", "monthly review only on the 1st of the month")
        with freeze_time("2027-03-01"):
            self.env["loyalty.program"]._cron_review_tiers()
            self.assertEqual(card.tier_id.name, "Blue")


@tagged("post_install", "-at_install")
class TestBackend(LoyaltyCase):
    def test_manager_defines_tiers_on_programme_form(self):
        """A loyalty manager builds a ladder on the programme form; retention above qualification is refused."""
        form = Form(self.env["loyalty.program"].with_user(self.loyalty_manager))
        form.name = "Form Club"
        form.program_type = "loyalty"
        with form.crm_tier_ids.new() as tier:
            tier.name = "Member"
            tier.qualify_points = 0
        with form.crm_tier_ids.new() as tier:
            tier.name = "Elite"
            tier.sequence = 20
            tier.qualify_points = 1000
            tier.retain_points = 800
            tier.earn_multiplier = 2
        form.crm_qualification_period = "calendar"
        program = form.save()
        self.assertEqual(program.crm_tier_ids.mapped("name"), ["Member", "Elite"])
        with self.assertRaisesRegex(Exception, "cannot exceed"):
            program.crm_tier_ids[1].with_user(self.loyalty_manager).retain_points = 1500
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.tier"].with_user(self.loyalty_user).create(
                {"program_id": program.id, "name": "Sneaky", "qualify_points": 1}
            )

    def test_members_per_tier_and_liability(self):
        """The pivot's data: members per tier and outstanding points times the value per point."""
        self.program.crm_point_value = 0.01
        self.post("T-1", 4000)
        self.post("T-2", 250, card=self.card_bob)
        groups = (
            self.env["loyalty.card"]
            .with_user(self.loyalty_user)
            ._read_group([("program_id", "=", self.program.id)], ["tier_id"], ["__count", "crm_points_liability:sum"])
        )
        data = {tier.name: (count, liability) for tier, count, liability in groups}
        self.assertEqual(data, {"Bronze": (1, 40.0), "Blue": (1, 2.5)})
