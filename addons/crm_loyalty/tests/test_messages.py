# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestMessages(LoyaltyCase):
    def _mails(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def _sms(self, partner):
        return self.env["sms.sms"].search([("partner_id", "=", partner.id)])

    def test_upgrade_sends_mail_and_sms(self):
        """An upgrade e-mails the member and queues an SMS to their valid mobile."""
        self.post("T-1", 3600)
        mail = self._mails(self.alice)
        self.assertEqual(len(mail), 1)
        self.assertIn("Welcome to Bronze", mail.subject)
        self.assertIn(self.card_alice.member_number, mail.body_html)
        sms = self._sms(self.alice)
        self.assertEqual((sms.number, sms.state), ("+447911123456", "outgoing"))
        self.assertIn("is now Bronze", sms.body)
        self.assertFalse(self._sms(self.bob), "Bob has no mobile")

    def test_batch_upgrades_to_different_tiers_each_tell_their_member(self):
        """A till batch moving members to different tiers sends each member the notice of the tier they reached."""
        self.posting.post_batch(
            [
                {"member": card.member_number, "amount": amount, "channel": "store", "external_ref": ref, "source": "s"}
                for ref, card, amount in (("B-1", self.card_alice, 8000), ("B-2", self.card_bob, 3600))
            ]
        )
        self.assertEqual((self.card_alice.tier_id.name, self.card_bob.tier_id.name), ("Silver", "Bronze"))
        self.assertEqual(self._mails(self.alice).mapped("subject"), ["Welcome to Silver, Alice Member"])
        self.assertEqual(self._mails(self.bob).mapped("subject"), ["Welcome to Bronze, Bob Member"])
        self.assertIn("is now Silver", self._sms(self.alice).body)

    def test_soft_landing_notice_sent_by_cron(self):
        """The review batch leaves its notices to the cron, which sends each once."""
        with freeze_time("2026-05-01"):
            self.post("T-1", 8000)
        with freeze_time("2027-04-01"):
            self.post("T-2", 10)
            mails_before = len(self._mails(self.alice))
            self.program._crm_review_tiers()
        with freeze_time("2028-04-01"):
            rows = self.program._crm_review_tiers()
            self.assertEqual(rows.card_id, self.card_alice)
            self.assertEqual(len(self._mails(self.alice)), mails_before)
            self.env["loyalty.card"]._cron_send_tier_notices()
            mail = self._mails(self.alice) - self._mails(self.alice)[mails_before:]
            new = self._mails(self.alice).sorted("id")[-1]
            self.assertIn("is now Bronze", new.subject)
            self.assertTrue(mail)
            self.assertTrue(rows.notice_sent)
            self.env["loyalty.card"]._cron_send_tier_notices()
            self.assertEqual(len(self._mails(self.alice)), mails_before + 1)

    def test_blacklisted_or_invalid_mobile_gets_no_sms(self):
        """No SMS to a blacklisted number or to a number that is not a valid mobile; the e-mail still goes."""
        self.env["phone.blacklist"].sudo().add("+447911123456")
        self.bob.write({"mobile": "12", "country_id": self.env.ref("base.uk").id})
        self.post("T-1", 3600)
        self.post("T-2", 3600, card=self.card_bob)
        self.assertFalse(self._sms(self.alice) | self._sms(self.bob))
        self.assertTrue(self._mails(self.alice))
        self.assertTrue(self._mails(self.bob))

    def test_register_decides(self):
        """Service notices follow crm_vrm's register: when it says no, neither e-mail nor SMS goes."""
        company = self.env.ref("crm_vrm.recipient_company")
        self.assertTrue(self.alice._vrm_allows(company, "service", "contact"))
        partner_cls = type(self.env["res.partner"])
        with patch.object(partner_cls, "_vrm_allows", autospec=True, return_value=False) as allows:
            self.post("T-1", 3600)
        allows.assert_called()
        self.assertEqual(self.card_alice.tier_id, self.tiers["Bronze"])
        self.assertFalse(self._mails(self.alice))
        self.assertFalse(self._sms(self.alice))

    def test_manager_writes_no_code_in_templates(self):
        """A loyalty manager is not a template editor: an expression reading the database secret is refused
        in the e-mail and SMS templates (Odoo's restricted mode); an administrator still can save it."""
        secret = "{{ object.env['ir.config_parameter'].get_param('database.secret') }}"
        self.assertFalse(self.loyalty_manager.has_group("mail.group_mail_template_editor"))
        mail_template = self.env.ref("crm_loyalty.mail_template_tier_upgrade")
        sms_template = self.env.ref("crm_loyalty.sms_template_tier_upgrade")
        for template, fname in ((mail_template, "subject"), (sms_template, "body")):
            with self.assertRaises(AccessError, msg=fname), self.env.cr.savepoint():
                template.with_user(self.loyalty_manager).write({fname: secret})
            self.assertNotIn("database.secret", template[fname])
        sms_template.with_user(self.env.ref("base.user_admin")).body = secret
        self.assertIn("database.secret", sms_template.body)

    def test_manager_edits_templates(self):
        """A loyalty manager edits the e-mail and SMS templates, and the next notice uses the new text."""
        mail_template = self.env.ref("crm_loyalty.mail_template_tier_upgrade").with_user(self.loyalty_manager)
        sms_template = self.env.ref("crm_loyalty.sms_template_tier_upgrade").with_user(self.loyalty_manager)
        mail_template.subject = "Hello {{ object.tier_id.name }} member"
        sms_template.body = "You made {{ object.tier_id.name }}!"
        self.post("T-1", 3600)
        self.assertEqual(self._mails(self.alice).subject, "Hello Bronze member")
        self.assertEqual(self._sms(self.alice).body, "You made Bronze!")
