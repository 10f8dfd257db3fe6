# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.tools import html2plaintext


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Intake finds the customer of each request by e-mail or mobile (crm.support.ticket._intake_partner)
    # with one query on these two indexes, not a scan of every contact.
    email_normalized = fields.Char(index=True)
    phone_sanitized = fields.Char(index="btree_not_null")

    def write(self, vals):
        res = super().write(vals)
        if "name" in vals and self.sudo().with_context(active_test=False).user_ids.filtered("franchise_id"):
            self.env.registry.clear_cache()  # staff names in the franchise rosters (crm.franchise._staff_rosters)
        return res

    def _vrm_export_data(self):
        """Add the customer's service requests to the rights-request export."""
        data = super()._vrm_export_data()
        tickets = self.env["crm.support.ticket"].sudo().search([("partner_id", "=", self.id)], order="id")
        shown = self._vrm_export_shown_messages_domain()
        data["support"] = [
            {
                "reference": t.name,
                "subject": t.subject,
                "date": fields.Datetime.to_string(t.create_date),
                "channel": t.channel,
                "status": t.stage_id.name,
                "category": t.category_id.name,
                "franchise": t.franchise_id.name,
                "postcode": t.zip,
                # the contact details given with the request, which may differ from the record's
                "contact_name": t.contact_name or "",
                "email": t.email or "",
                "phone": t.phone or "",
                "street": t.street or "",
                "city": t.city or "",
                "product": t.product_name or "",
                "rating": t.rating_value or "",
                "rating_comment": t.rating_comment or "",
                "description": html2plaintext(t.description or ""),
                "resolution": t.resolution,
                "messages": [
                    {"date": fields.Datetime.to_string(m.date), "body": html2plaintext(m.body or "")}
                    for m in t.message_ids.filtered_domain(shown)
                ],
            }
            for t in tickets
        ]
        return data

    def _vrm_export_shown_messages_domain(self):
        """The messages of a request its customer sees in the portal: its conversation, not the staff's
        notes nor the franchise's internal messages (the portal's own domain for share users)."""
        return [
            ("message_type", "in", ("comment", "email")),
            ("subtype_id", "=", self.env.ref("mail.mt_comment").id),
            *self.env["mail.message"]._get_search_domain_share(),
        ]

    def _vrm_erasure_identifiers(self):
        """Add the contact details given with the customer's service requests."""
        identifiers = super()._vrm_erasure_identifiers()
        tickets_sudo = self.env["crm.support.ticket"].sudo().search([("partner_id", "=", self.id)])
        identifiers["emails"] |= set(filter(None, tickets_sudo.mapped("email")))
        identifiers["phones"] |= set(filter(None, tickets_sudo.mapped("phone")))
        identifiers["texts"] |= set(filter(None, tickets_sudo.mapped("contact_name") + tickets_sudo.mapped("street")))
        return identifiers

    def _vrm_anonymize(self):
        """Erase the text of the customer's service requests; keep dates, stages and figures."""
        # first the erasure everywhere, which reads the requests' contact details to scrub them
        res = super()._vrm_anonymize()
        tickets = self.env["crm.support.ticket"].sudo().search([("partner_id", "in", self.ids)])
        if tickets:
            tickets.write(
                {
                    "subject": self.env._("Erased request"),
                    "description": False,
                    "resolution": False,
                    "contact_name": False,
                    "email": False,
                    "phone": False,
                    "street": False,
                    "city": False,
                    "zip": False,
                    "product_name": False,
                    "intake_ip": False,
                }
            )
            messages = tickets.message_ids
            messages.attachment_ids.unlink()
            messages.write({"body": "", "subject": False, "email_from": False})
            self.env["ir.attachment"].sudo().search(
                [("res_model", "=", "crm.support.ticket"), ("res_id", "in", tickets.ids)]
            ).unlink()
        return res
