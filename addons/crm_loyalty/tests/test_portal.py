# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime

from odoo.tests import JsonRpcException, freeze_time, tagged
from odoo.tools import mute_logger

from .common import LoyaltyHttpCase


@tagged("post_install", "-at_install")
class TestPortal(LoyaltyHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = datetime.date.today()
        cls.program.crm_expiry_months = 12
        for i in range(12):
            cls.env["crm.loyalty.posting"].post(
                {
                    "member": cls.card_alice.member_number,
                    "amount": 700,
                    "channel": "store",
                    "external_ref": f"AL-{i}",
                    "source": "till",
                    "date": (today - datetime.timedelta(days=350 - i)).isoformat(),
                }
            )
        cls.env["crm.loyalty.posting"].post(
            {"member": cls.card_bob.code, "amount": 999, "channel": "store", "external_ref": "BOB-1", "source": "till"}
        )
        cls.voucher = cls.program._crm_run_vouchers(today)[:1]

    def _call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_my_loyalty_page_shows_own_membership(self):
        """Alice's page shows her tier, balance, statement and voucher; nothing of Bob's."""
        self.authenticate("alice_portal", "alice_portal")
        response = self.url_open("/my/loyalty")
        self.assertEqual(response.status_code, 200)
        page = " ".join(response.text.split())
        self.assertIn(self.card_alice.member_number, page)
        self.assertIn("Silver", page)
        self.assertIn("tier points to Gold", page)
        self.assertIn(self.voucher.code, page)
        self.assertNotIn(self.card_bob.member_number, page)
        bob_voucher = self.env["loyalty.card"].search([("crm_source_card_id", "=", self.card_bob.id)])
        self.assertTrue(bob_voucher)
        self.assertNotIn(bob_voucher.code, page)

    def test_member_sees_what_keeps_the_tier(self):
        """A Silver member short of Silver's retention threshold this period sees how many tier points keep
        it at the review, by when, and the tier he lands on otherwise; once past it, that Silver is kept."""
        start, end = self.program._crm_period_bounds()
        # Bob reached Silver last period; this period he has 999 tier points (set-up), Silver keeps at 6,500
        self.post("BOB-LAST", 8000, card=self.card_bob, day=start - datetime.timedelta(days=10))
        self.assertEqual(self.card_bob.tier_id, self.tiers["Silver"])
        self.authenticate("bob_portal", "bob_portal")
        page = " ".join(self.url_open("/my/loyalty").text.split())
        self.assertIn(f"<strong>5,501</strong> more tier points by {end.strftime('%m/%d/%Y')} keep Silver", page)
        self.assertIn("keep Silver at the review; otherwise you move to Bronze.", page)

        self.post("BOB-NOW", 5501, card=self.card_bob)
        page = " ".join(self.url_open("/my/loyalty").text.split())
        self.assertIn("You have earned enough to keep Silver at the review on", page)
        self.assertNotIn("more tier points by", page)
        self.assertEqual(self.card_bob.tier_id, self.tiers["Silver"], "6,500 this period: not yet Gold")

    def test_other_customers_card_not_reachable(self):
        """Bob's card id in Alice's URL sends her back to her own page."""
        self.authenticate("alice_portal", "alice_portal")
        response = self.url_open(f"/my/loyalty/{self.card_bob.id}")
        self.assertTrue(response.url.endswith("/my/loyalty"))
        self.assertNotIn(self.card_bob.member_number, response.text)
        self.assertIn(self.card_alice.member_number, response.text)

    def test_statement_is_paged(self):
        """The statement shows ten rows per page, with a pager to the rest."""
        self.authenticate("alice_portal", "alice_portal")
        first = self.url_open(f"/my/loyalty/{self.card_alice.id}").text
        second = self.url_open(f"/my/loyalty/{self.card_alice.id}?page=2").text
        self.assertIn("Store purchase AL-11", first)
        self.assertNotIn("Store purchase AL-0", first)
        self.assertIn("Store purchase AL-0", second)

    def test_anonymous_is_sent_to_login(self):
        """Without a session the page asks to log in."""
        response = self.url_open("/my/loyalty")
        self.assertIn("/web/login", response.url)

    @mute_logger("odoo.http")
    def test_json_rpc_isolation(self):
        """Over JSON-RPC a portal customer reads no card, statement or posting, and changes no balance."""
        self.authenticate("alice_portal", "alice_portal")
        attempts = [
            ("loyalty.card", "search_read", [[]], {"fields": ["points"]}),
            ("loyalty.card", "read", [[self.card_bob.id], ["points"]]),
            ("loyalty.card", "write", [[self.card_alice.id], {"points": 99999}]),
            ("loyalty.history", "search_read", [[]], {"fields": ["issued"]}),
            ("crm.loyalty.tier.history", "search_read", [[]]),
            ("crm.loyalty.posting", "search_read", [[]]),
            (
                "crm.loyalty.posting",
                "post",
                [
                    {
                        "member": self.card_alice.member_number,
                        "amount": 500,
                        "channel": "store",
                        "external_ref": "X",
                        "source": "me",
                    }
                ],
            ),
            ("crm.loyalty.adjust", "create", [{"card_id": self.card_alice.id, "points": 500, "reason": "me"}]),
            ("loyalty.card", "_crm_redeem", [[self.card_bob.id], 10, "steal"]),
        ]
        balance = self.card_alice.points
        for model, method, args, *kwargs in attempts:
            with self.subTest(model=model, method=method), self.assertRaises(JsonRpcException):
                self._call(model, method, args, kwargs[0] if kwargs else None)
        self.card_alice.invalidate_recordset()
        self.assertEqual(self.card_alice.points, balance)

    def test_portal_tour(self):
        """Alice opens My loyalty from her portal home and reads tier, progress, balance, vouchers and statement."""
        with freeze_time(datetime.datetime.now()):
            self.start_tour("/my", "crm_loyalty_portal", login="alice_portal")
