# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime

from odoo.tests import freeze_time, tagged

from odoo.addons.crm_vrm.tests.ui_case import PortalWalkCase


@tagged("post_install", "-at_install")
class TestDemoWalk(PortalWalkCase):
    def test_member_walks_his_loyalty_pages(self):
        """On the demo data, the Gold member opens every page of his loyalty account: card,
        statement, vouchers."""
        seen = self.assert_portal_pages_open("portal", "portal", ("/my/loyalty",), start="/my/loyalty")
        self.assertGreater(len(seen), 1)

    def _demo_programmes(self):
        Program = self.env["loyalty.program"]
        club = Program.search([("name", "=", "Skyways Executive Club")], order="id desc", limit=1)
        clubcard = Program.search([("name", "=", "Freshco Clubcard")], order="id desc", limit=1)
        self.assertTrue(club and clubcard, "the demo programmes are loaded")
        return club, clubcard

    def _assert_readme_stories(self, club, clubcard):
        """Each story the README tells of the loyalty demo, as a newcomer sees it on the member's page."""
        env = self.env
        card = {
            key: env["loyalty.card"].search(
                [("program_id", "=", club.id), ("partner_id", "=", env.ref(xmlid).id)], limit=1
            )
            for key, xmlid in (
                ("joel", "base.partner_demo_portal"),
                ("deco", "base.res_partner_2"),
                ("gemini", "base.res_partner_3"),
                ("ready", "base.res_partner_4"),
                ("landing", "base.res_partner_10"),
                ("premier", "base.res_partner_12"),
                ("blue", "base.res_partner_18"),
            )
        }
        summary = {key: c._crm_member_summary() for key, c in card.items()}
        # members on every tier
        self.assertEqual(
            {key: s["tier"] for key, s in summary.items()},
            {
                "joel": "Gold",
                "deco": "Bronze",
                "gemini": "Silver",
                "ready": "Bronze",
                "landing": "Silver",
                "premier": "Premier",
                "blue": "Blue",
            },
        )
        # the portal member (login portal) is Gold on this period's flights, with a statement
        self.assertGreaterEqual(summary["joel"]["tier_points"], 20000)
        self.assertEqual(card["joel"].history_ids.filtered(lambda h: h.crm_kind == "redeem").used, 5000)
        # one about to be upgraded: 150 tier points from Silver
        self.assertEqual((summary["ready"]["next_tier"], summary["ready"]["points_to_next"]), ("Silver", 150))
        # one on a soft landing: Gold until this period's review, Silver since, no tier points yet this period
        landing = card["landing"]
        last = landing.crm_tier_history_ids.sorted("id")[-1]
        self.assertEqual(
            (last.change_type, last.from_tier_id.name, last.to_tier_id.name), ("downgrade", "Gold", "Silver")
        )
        start = club._crm_period_bounds()[0]
        self.assertEqual(landing.crm_tier_since, start)
        self.assertEqual(summary["landing"]["tier_points"], 0)
        self.assertEqual(
            (summary["landing"]["points_to_keep"], summary["landing"]["tier_if_not_kept"]), (6500, "Bronze")
        )
        # points about to expire
        self.assertEqual(summary["blue"]["expiring_30_days"], 640)
        # Premier by invitation, with its reason
        self.assertEqual(card["premier"].crm_tier_history_ids.sorted("id")[-1].change_type, "invitation")
        # Freshco Clubcard: 1 point per 1 spent, 1 per 2 on fuel; 150 points became a 1.50 voucher per block
        shopper = env["loyalty.card"].search(
            [("program_id", "=", clubcard.id), ("partner_id", "=", env.ref("base.partner_demo_portal").id)]
        )
        earned = sum(shopper.history_ids.filtered(lambda h: h.crm_kind == "award").mapped("issued"))
        self.assertEqual(earned, 212 + 34 + 54)
        vouchers = env["loyalty.card"].search([("crm_source_card_id", "=", shopper.id)])
        self.assertEqual(vouchers.mapped("points"), [3.0])
        self.assertEqual(shopper.points, 0)

    def test_readme_stories_on_the_demo_data(self):
        """The demo loaded by make run tells every loyalty story of the README."""
        self._assert_readme_stories(*self._demo_programmes())

    def test_readme_stories_whatever_the_day(self):
        """Loaded on the first day of the qualification year, or near its end, the demo tells the same
        stories: no purchase of this year falls into the period the review already closed."""
        for day in (datetime.date(2027, 4, 1), datetime.date(2027, 5, 10), datetime.date(2028, 3, 20)):
            # the demo's till references are posted once per source: the copy loaded before keeps its own
            self.env["crm.loyalty.posting"].search([("source", "=", "demo")]).write({"source": f"demo-{day}"})
            with self.subTest(day=day), freeze_time(day):
                self.env["loyalty.program"]._crm_load_demo()
                self._assert_readme_stories(*self._demo_programmes())
