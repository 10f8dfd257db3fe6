# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import tagged

from .common import VrmCommon


@tagged("post_install", "-at_install")
class TestMarketingExclusion(VrmCommon):
    def test_denied_marketing_left_out_of_audience_mailing_and_sms(self):
        """A customer who denies marketing is not in a marketing audience, a mass mailing to her is
        cancelled as blacklisted while the customer who allows it gets it, and her numbers are on
        the exclusion list marketing SMS honour."""
        self.alice._vrm_set_preference(self.company_recipient, "marketing", "contact", False)
        self.bob._vrm_set_preference(self.company_recipient, "marketing", "contact", True)
        partners = self.alice | self.bob
        audience = partners._vrm_filter_allowed(self.company_recipient, "marketing", "contact")
        self.assertEqual(audience, self.bob)
        composer = (
            self.env["mail.compose.message"]
            .with_context(
                default_model="res.partner",
                default_composition_mode="mass_mail",
                default_res_ids=partners.ids,
            )
            .create({"subject": "Spring offer", "body": "<p>10 % off</p>", "email_from": "shop@example.com"})
        )
        mails, _messages = composer._action_send_mail()
        by_partner = {mail.res_id: mail for mail in mails}
        self.assertEqual(
            (by_partner[self.alice.id].state, by_partner[self.alice.id].failure_type), ("cancel", "mail_bl")
        )
        self.assertIn(by_partner[self.bob.id].state, ("outgoing", "sent"))
        self.assertFalse(by_partner[self.bob.id].failure_type)
        numbers = self.env["phone.blacklist"].search([("number", "in", ["+447911123412", "+447911123434"])])
        self.assertEqual(len(numbers), 2)
        self.assertFalse(self.env["phone.blacklist"].search([("number", "=", "+447911123256")]))
