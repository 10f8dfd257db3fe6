# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Finding the existing contact of an e-mail address the user may not see, so that Odoo's
look-ups that find or create contacts by address (find_or_create, recipients typed in a
composer, the mail gateway's author and recipients) link the customer's own record instead of
creating a duplicate that would carry none of her choices.

The enforcement turns a hidden address into NULL in every search (vrm_enforcement.py
_field_to_sql): right for a search, where a match tells the user the value, but a look-up by
address is given the address by the user; answering it with a new contact would hand the
address to a record without the customer's choices, on which a marketer could then act. These
look-ups match the address as the superuser, then keep what the user may reach by the record
rules, as mail.thread _mail_search_on_user does for users. The values stay masked on the record
returned; the user learns only that the address he typed is that contact's."""

from odoo import api, models, tools
from odoo.osv import expression


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _vrm_match_emails(self, normalized_emails, extra_domain=None):
        """The partners whose normalized e-mail is one of normalized_emails, among those the user
        may reach by the record rules (and extra_domain, searched as the user)."""
        if not normalized_emails:
            return self.browse()
        matched = self.sudo()._search([("email_normalized", "in", list(normalized_emails))])
        return self.search(expression.AND([[("id", "in", matched)], extra_domain or []]))

    @api.model
    @api.returns("self", lambda value: value.id)
    def find_or_create(self, email, assert_valid_email=False):
        """The contact of an address the user may not see is found, not created again."""
        if email and not self.env.su:
            normalized = tools.parse_contact_from_email(email)[1]
            found = self._vrm_match_emails([normalized])[:1] if normalized else self.browse()
            if found:
                return found
        return super().find_or_create(email, assert_valid_email=assert_valid_email)

    @api.model
    def _find_or_create_from_emails(self, emails, additional_values=None):
        """The contacts of addresses the user may not see are found, not created again."""
        if self.env.su:
            return super()._find_or_create_from_emails(emails, additional_values=additional_values)
        normalized = [tools.parse_contact_from_email(email)[1] for email in emails]
        found = {}
        for partner in self._vrm_match_emails({email for email in normalized if email}).sorted("id"):
            found.setdefault(partner.email_normalized, partner)
        rest = [email for email, norm in zip(emails, normalized, strict=True) if norm not in found]
        created = iter(super()._find_or_create_from_emails(rest, additional_values=additional_values) if rest else [])
        return [found[norm] if norm in found else next(created) for norm in normalized]


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _mail_search_on_partner(self, normalized_emails, extra_domain=False):
        """The mail gateway's and composers' contact of an address the user may not see is found."""
        if self.env.su:
            return super()._mail_search_on_partner(normalized_emails, extra_domain=extra_domain)
        return self.env["res.partner"]._vrm_match_emails(normalized_emails, extra_domain or None)
