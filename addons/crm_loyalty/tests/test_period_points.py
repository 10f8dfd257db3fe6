# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime
from collections import defaultdict

from odoo.tests import freeze_time, tagged

from odoo.addons.crm_loyalty import uninstall_hook

from .common import LoyaltyCase, create_ba_programme

D = datetime.date


@tagged("post_install", "-at_install")
class TestPeriodPoints(LoyaltyCase):
    """The per-period tier points counter the review and the upgrades read never drifts from the statement."""

    def counter(self, card):
        """The card's counter rows: {first day of the period (or month): tier points}."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT period_start, qualifying_points FROM crm_loyalty_period_points
                WHERE card_id = %s AND qualifying_points <> 0""",
            [card.id],
        )
        return dict(self.env.cr.fetchall())

    def statement_by_period(self, card):
        """The card's statement summed by hand per qualification period (per month when rolling)."""
        card.invalidate_recordset()
        program = card.program_id
        sums = defaultdict(float)
        for row in card.history_ids:
            if row.qualifying_points and row.earned_date:
                bucket = (
                    row.earned_date.replace(day=1)
                    if program.crm_qualification_period == "rolling"
                    else program._crm_period_bounds(row.earned_date)[0]
                )
                sums[bucket] += row.qualifying_points
        return {bucket: points for bucket, points in sums.items() if points}

    def assertCounterMatchesStatement(self, *cards):
        for card in cards:
            self.assertEqual(self.counter(card), self.statement_by_period(card))

    @freeze_time("2026-06-01")
    def test_every_writer_counts(self):
        """Tills (post, post_batch), Odoo's own order flows (ORM create, write, unlink) and expiry all keep it exact."""
        self.program.crm_expiry_months = 1
        self.post("T-1", 1000)
        self.post("T-0", 500, day=D(2026, 3, 31))  # previous period (1 April year)
        self.posting.post_batch(
            [
                {"member": card.member_number, "amount": 300, "channel": "store", "external_ref": ref, "source": "till"}
                for ref, card in (("B-1", self.card_alice), ("B-2", self.card_bob), ("B-3", self.card_alice))
            ]
        )
        self.assertEqual(self.counter(self.card_alice), {D(2025, 4, 1): 500, D(2026, 4, 1): 1600})
        self.assertCounterMatchesStatement(self.card_alice, self.card_bob)
        # a POS order through the ORM: plain loyalty.history create
        order = self.env["loyalty.history"].create({"card_id": self.card_bob.id, "description": "POS/7", "issued": 40})
        self.card_bob.points += 40
        self.assertEqual(self.counter(self.card_bob), {D(2026, 4, 1): 340})
        # a correction of the tier points and of the date of that row
        order.qualifying_points = 60
        self.assertEqual(self.counter(self.card_bob), {D(2026, 4, 1): 360})
        order.earned_date = D(2026, 1, 15)
        self.assertEqual(self.counter(self.card_bob), {D(2025, 4, 1): 60, D(2026, 4, 1): 300})
        # Odoo cancels the order: its row goes
        order.unlink()
        self.card_bob.points -= 40
        self.assertEqual(self.counter(self.card_bob), {D(2026, 4, 1): 300})
        # spending and expiring take spendable points, never tier points
        self.card_alice._crm_redeem(200, "Reward")
        self.env["loyalty.card"]._cron_expire_points(D(2026, 12, 1))
        self.assertEqual(self.card_alice.points, 0)
        self.assertEqual(self.counter(self.card_alice), {D(2025, 4, 1): 500, D(2026, 4, 1): 1600})
        self.assertCounterMatchesStatement(self.card_alice, self.card_bob)
        self.assertEqual(self.card_alice.crm_tier_points, 1600)

    def test_refund_into_earlier_period_takes_points_from_that_period(self):
        """A refund after the period ended takes its tier points from the purchase's period, so the review sees it."""
        with freeze_time("2026-03-20"):
            self.post("P-1", 4000)  # Bronze, in the period 1 April 2025 - 31 March 2026
            self.post("P-2", 1000, card=self.card_bob)
            self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])
        with freeze_time("2026-04-10"):
            self.post("P-3", 1000)  # this period
            self.post("P-1-R", 4000, kind="refund", original_ref="P-1")
            self.post("P-2-R", 500, card=self.card_bob, kind="refund", original_ref="P-2")
            self.assertEqual(self.counter(self.card_alice), {D(2026, 4, 1): 1000})
            self.assertEqual(self.counter(self.card_bob), {D(2025, 4, 1): 500})
            self.assertCounterMatchesStatement(self.card_alice, self.card_bob)
            self.card_alice.invalidate_recordset()
            self.assertEqual(self.card_alice.crm_tier_points, 1000, "this period's tier points are untouched")
            # the review of the period just ended: the refunded purchase no longer retains Bronze
            self.program._crm_review_tiers(D(2026, 4, 1))
            self.assertEqual(self.card_alice.tier_id, self.tiers["Blue"])

    @freeze_time("2026-06-01")
    def test_upgrade_fills_the_counter_from_the_statement(self):
        """Installing or upgrading the module fills the counter from the existing statement, and only once."""
        self.post("U-1", 700, day=D(2025, 5, 2))
        self.post("U-2", 900)
        self.post("U-3", 300, card=self.card_bob)
        self.post("U-2-R", 450, kind="refund", original_ref="U-2")
        # a database from before the counter existed (or where the module was uninstalled: Odoo's
        # statement keeps working without the triggers)
        uninstall_hook(self.env)
        self.env.cr.execute(
            """INSERT INTO loyalty_history (card_id, description, issued, used, qualifying_points, earned_date)
               VALUES (%s, 'Written without the module', 0, 0, 25, '2026-05-01')""",
            [self.card_alice.id],
        )
        self.env["loyalty.history"].invalidate_model()
        self.env["loyalty.history"]._crm_setup_period_points()
        self.assertEqual(self.counter(self.card_alice), {D(2025, 4, 1): 700, D(2026, 4, 1): 475})
        self.assertCounterMatchesStatement(self.card_alice, self.card_bob)
        # an upgrade of a database that has it already does not count the statement twice
        self.env["loyalty.history"]._crm_setup_period_points()
        self.assertCounterMatchesStatement(self.card_alice, self.card_bob)
        # and the triggers are back
        self.post("U-4", 50)
        self.assertEqual(self.counter(self.card_alice), {D(2025, 4, 1): 700, D(2026, 4, 1): 525})

    def test_new_period_setting_regroups_the_points(self):
        """A manager moving the programme to calendar years regroups the counter: tier points follow the new period."""
        with freeze_time("2026-06-01"):
            self.post("G-1", 2000, day=D(2026, 2, 10))  # fixed 1 April: last period
            self.post("G-2", 2000)
            self.card_alice.invalidate_recordset()
            self.assertEqual(self.card_alice.crm_tier_points, 2000)
            self.program.crm_qualification_period = "calendar"
            self.assertEqual(self.counter(self.card_alice), {D(2026, 1, 1): 4000})
            self.card_alice.invalidate_recordset()
            self.assertEqual(self.card_alice.crm_tier_points, 4000)
            self.program.write({"crm_qualification_period": "fixed", "crm_period_start_month": 2})
            self.assertCounterMatchesStatement(self.card_alice)
            # the next award sees the regrouped points: 4,000 since 1 February cross Bronze
            self.post("G-3", 10)
            self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])

    def test_rolling_window_counts_exactly_the_last_twelve_months(self):
        """Rolling programmes: whole months from the counter, the days at the window's edges from the statement."""
        program = create_ba_programme(self.env, name="Rolling Club", crm_qualification_period="rolling")
        card = self.env["loyalty.card"].create({"program_id": program.id, "partner_id": self.bob.id})
        with freeze_time("2026-06-15"):
            for ref, amount, day in (
                ("R-1", 100, D(2025, 6, 15)),  # one day too old
                ("R-2", 200, D(2025, 6, 16)),  # the window's first day
                ("R-3", 400, D(2025, 9, 1)),
                ("R-4", 800, D(2026, 6, 10)),
            ):
                self.post(ref, amount, card=card, day=day)
            self.assertCounterMatchesStatement(card)
            card.invalidate_recordset()
            self.assertEqual(card.crm_tier_points, 1400)
            # a window of whole months, and windows starting or ending mid-month
            self.assertEqual(card._crm_period_points(D(2026, 5, 31)), {card.id: 700.0})
            self.assertEqual(card._crm_period_points(D(2025, 8, 31)), {card.id: 300.0})
            self.assertEqual(card._crm_period_points(D(2026, 6, 14)), {card.id: 1500.0})

    @freeze_time("2026-06-01")
    def test_batch_upgrades_each_member_to_the_tier_reached(self):
        """In one batch, every member crossing a threshold moves to the highest tier reached, with its history."""
        self.card_bob._crm_set_tier(self.tiers["Premier"], "Invited", "invitation")
        carol = self.env["loyalty.card"].create({"program_id": self.program.id, "partner_id": self.bob.id})
        self.post("C-0", 3000, card=carol)
        results = self.posting.post_batch(
            [
                {"member": card.member_number, "amount": amount, "channel": "store", "external_ref": ref, "source": "s"}
                for ref, card, amount in (
                    ("C-1", self.card_alice, 8000),
                    ("C-2", self.card_bob, 30000),
                    ("C-3", carol, 600),
                    ("C-4", self.card_alice, 100),
                )
            ]
        )
        self.assertEqual([r["tier"] for r in results], ["Silver", "Premier", "Bronze", "Silver"])
        self.assertEqual(self.card_alice.tier_id, self.tiers["Silver"])
        self.assertEqual(self.card_bob.tier_id, self.tiers["Premier"], "invitation-only tiers are kept")
        self.assertEqual(carol.tier_id, self.tiers["Bronze"])
        ups = (self.card_alice | self.card_bob | carol).crm_tier_history_ids.filtered(
            lambda h: h.change_type == "upgrade"
        )
        self.assertEqual(
            sorted((h.card_id.id, h.from_tier_id.name, h.to_tier_id.name) for h in ups),
            sorted([(self.card_alice.id, "Blue", "Silver"), (carol.id, "Blue", "Bronze")]),
        )
        self.assertIn(
            "3600.0 tier points reached the Bronze threshold", ups.filtered(lambda h: h.card_id == carol).reason
        )

    def test_rolling_review_sums_the_months_and_counts_refunds(self):
        """Rolling review: a member keeps the tier on months that add up; a refund or an old purchase does not count."""
        program = create_ba_programme(self.env, name="Rolling Club", crm_qualification_period="rolling")
        tiers = {tier.name: tier for tier in program.crm_tier_ids}
        partners = self.env["res.partner"].create([{"name": name} for name in ("Spread", "Short", "Old", "None")])
        spread, short, old, none = self.env["loyalty.card"].create(
            [{"program_id": program.id, "partner_id": partner.id} for partner in partners]
        )
        with freeze_time("2027-02-20"):
            # the review of 1 March 2027 covers March 2026 to February 2027
            for ref, card, amount, day in (
                ("S-1", spread, 4000, D(2026, 5, 10)),
                ("S-2", spread, 3000, D(2026, 11, 20)),
                ("H-1", short, 4000, D(2026, 5, 10)),
                ("H-2", short, 3000, D(2026, 11, 20)),
                ("O-1", old, 5000, D(2026, 2, 28)),  # the day before the window
                ("O-2", old, 100, D(2026, 3, 1)),
            ):
                self.post(ref, amount, card=card, day=day)
            self.post("H-2-R", 1000, card=short, kind="refund", original_ref="H-2")  # in February
            for card, tier in ((spread, "Silver"), (short, "Silver"), (old, "Bronze"), (none, "Gold")):
                card._crm_set_tier(tiers[tier], "Set by the test", "manual")
        rows = program._crm_review_tiers(D(2027, 3, 1))
        self.assertEqual(
            sorted((row.card_id.partner_id.name, row.from_tier_id.name, row.to_tier_id.name) for row in rows),
            [("None", "Gold", "Silver"), ("Old", "Bronze", "Blue"), ("Short", "Silver", "Bronze")],
        )
        self.assertEqual(spread.tier_id, tiers["Silver"], "4,000 and 3,000 in two months retain Silver (6,500)")
        self.assertEqual(short.tier_id, tiers["Bronze"], "the refund leaves 6,000")
        self.assertEqual(old.tier_id, tiers["Blue"])
        self.assertEqual(none.tier_id, tiers["Silver"], "one tier down, not to the entry tier")
        self.assertEqual(none.crm_tier_since, D(2027, 3, 1))

    @freeze_time("2026-06-01")
    def test_deleting_a_member_deletes_its_counter(self):
        """A member deleted with its statement leaves no tier points behind; the other members keep theirs."""
        card = self.env["loyalty.card"].create({"program_id": self.program.id, "partner_id": self.bob.id})
        self.post("D-1", 500, card=card)
        self.post("D-2", 700)
        card_id = card.id
        card.unlink()
        self.env.flush_all()
        self.env.cr.execute("SELECT COUNT(*) FROM crm_loyalty_period_points WHERE card_id = %s", [card_id])
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertCounterMatchesStatement(self.card_alice)

    @freeze_time("2026-06-01")
    def test_card_moved_to_another_programme_is_regrouped(self):
        """A card moved to a calendar-year programme has its tier points counted by calendar year."""
        calendar = create_ba_programme(self.env, name="Calendar Club", crm_qualification_period="calendar")
        self.post("M-1", 300, day=D(2026, 2, 1))
        self.post("M-2", 400)
        self.assertEqual(self.counter(self.card_alice), {D(2025, 4, 1): 300, D(2026, 4, 1): 400})
        self.card_alice.program_id = calendar
        self.assertEqual(self.counter(self.card_alice), {D(2026, 1, 1): 700})
        self.assertCounterMatchesStatement(self.card_alice, self.card_bob)
