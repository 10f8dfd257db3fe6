# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import datetime

from odoo.tests import HttpCase, TransactionCase, new_test_user


def create_ba_programme(env, name="Executive Club", **values):
    """A British Airways style ladder: Blue, Bronze, Silver, Gold, and Premier by invitation."""
    vouchers = env["loyalty.program"].create(
        {
            "name": f"{name} vouchers",
            "program_type": "coupons",
            "trigger": "with_code",
            "applies_on": "current",
        }
    )
    program = env["loyalty.program"].create(
        {
            "name": name,
            "program_type": "loyalty",
            "crm_qualification_period": "fixed",
            "crm_period_start_month": 4,
            "crm_period_start_day": 1,
            "crm_expiry_months": 36,
            "crm_voucher_program_id": vouchers.id,
            "crm_voucher_block_points": 150,
            "crm_voucher_block_value": 1.5,
            "crm_voucher_validity_months": 24,
            "crm_tier_ids": [
                (0, 0, {"name": "Blue", "sequence": 1, "qualify_points": 0, "retain_points": 0, "earn_multiplier": 1}),
                (
                    0,
                    0,
                    {
                        "name": "Bronze",
                        "sequence": 2,
                        "qualify_points": 3500,
                        "retain_points": 3000,
                        "earn_multiplier": 1.25,
                    },
                ),
                (
                    0,
                    0,
                    {
                        "name": "Silver",
                        "sequence": 3,
                        "qualify_points": 7500,
                        "retain_points": 6500,
                        "earn_multiplier": 1.5,
                    },
                ),
                (
                    0,
                    0,
                    {
                        "name": "Gold",
                        "sequence": 4,
                        "qualify_points": 20000,
                        "retain_points": 15000,
                        "earn_multiplier": 2,
                    },
                ),
                (
                    0,
                    0,
                    {
                        "name": "Premier",
                        "sequence": 5,
                        "qualify_points": 0,
                        "invitation_only": True,
                        "earn_multiplier": 3,
                    },
                ),
            ],
            "crm_channel_ids": [
                (0, 0, {"code": "store", "name": "Store", "points_per_unit": 1}),
                (0, 0, {"code": "online", "name": "Online", "points_per_unit": 1}),
                (0, 0, {"code": "fuel", "name": "Fuel", "points_per_unit": 0.5}),
            ],
            **values,
        }
    )
    return program


class LoyaltyMixin:
    """One BA-style programme, one user per role, two portal customers with their cards."""

    @classmethod
    def _setup_loyalty(cls):
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True, tracking_disable=True))
        cls.program = create_ba_programme(cls.env)
        cls.tiers = {tier.name: tier for tier in cls.program.crm_tier_ids}
        cls.voucher_program = cls.program.crm_voucher_program_id
        cls.loyalty_user = new_test_user(
            cls.env, login="loy_user", groups="base.group_user,crm_loyalty.group_loyalty_user"
        )
        cls.loyalty_manager = new_test_user(
            cls.env, login="loy_manager", groups="base.group_user,crm_loyalty.group_loyalty_manager"
        )
        cls.portal_alice = new_test_user(
            cls.env, login="alice_portal", groups="base.group_portal", name="Alice Member", email="alice@example.com"
        )
        cls.portal_bob = new_test_user(
            cls.env, login="bob_portal", groups="base.group_portal", name="Bob Member", email="bob@example.com"
        )
        cls.alice = cls.portal_alice.partner_id
        cls.bob = cls.portal_bob.partner_id
        cls.alice.write({"mobile": "+44 7911 123456", "country_id": cls.env.ref("base.uk").id})
        cls.card_alice = cls.env["loyalty.card"].create({"program_id": cls.program.id, "partner_id": cls.alice.id})
        cls.card_bob = cls.env["loyalty.card"].create({"program_id": cls.program.id, "partner_id": cls.bob.id})
        cls.posting = cls.env["crm.loyalty.posting"]

    def post(self, ref, amount, card=None, channel="store", day=None, **extra):
        """Post a purchase for ``card`` (Alice's by default) as the till would."""
        vals = {
            "member": (card or self.card_alice).member_number,
            "amount": amount,
            "currency": self.program.currency_id.name,
            "channel": channel,
            "external_ref": ref,
            "source": "till",
            "date": (day or datetime.date.today()).isoformat(),
            **extra,
        }
        return self.posting.post(vals)

    def assertStatementMatchesBalance(self, card):
        """The statement (issued - used) sums to the balance, and unspent awards never exceed it."""
        card.invalidate_recordset()
        rows = card.history_ids
        self.assertAlmostEqual(sum(rows.mapped("issued")) - sum(rows.mapped("used")), card.points, places=2)
        if card.points >= 0:
            self.assertAlmostEqual(sum(rows.mapped("remaining_points")), card.points, places=2)


class LoyaltyCase(LoyaltyMixin, TransactionCase):
    """Loyalty data in a transaction rolled back after each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_loyalty()


class LoyaltyHttpCase(LoyaltyMixin, HttpCase):
    """Loyalty data served over HTTP (portal routes, JSON-RPC, tours)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_loyalty()
