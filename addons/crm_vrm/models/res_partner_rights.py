# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, datetime

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # rights requests --------------------------------------------------------------------------

    def _vrm_export_data(self):
        """All this customer's data as a dict; other addons add their own key."""
        self.ensure_one()
        partner = self.sudo()
        fnames = [
            "name",
            "email",
            "phone",
            "mobile",
            "street",
            "street2",
            "zip",
            "city",
            "state_id",
            "country_id",
            "lang",
            "function",
            "website",
            "vat",
            "create_date",
        ]
        (values,) = partner.read(fnames)
        for key, value in values.items():
            if isinstance(value, tuple):
                values[key] = value[1]
            elif isinstance(value, datetime | date):
                values[key] = value.isoformat()
        prefs = self.env["vrm.preference"].sudo().search([("partner_id", "=", self.id)])
        events = self.env["vrm.consent.event"].sudo().search([("partner_id", "=", self.id)])
        logs = self.env["vrm.access.log"].sudo().search([("partner_id", "=", self.id)])
        agreements = self.env["vrm.agreement.record"].sudo().search([("partner_id", "=", self.id)])
        requests = self.env["vrm.rights.request"].sudo().search([("partner_id", "=", self.id)])
        return {
            "partner": values,
            "preferences": [
                {
                    "recipient": p.recipient_id.name or p.recipient_type,
                    "purpose": p.purpose_id.code,
                    "category": p.category_id.code,
                    "allowed": p.allowed,
                }
                for p in prefs
            ],
            "consent_events": [
                {
                    "date": fields.Datetime.to_string(e.event_date),
                    "summary": e.summary,
                    "old_value": e.old_value,
                    "new_value": e.new_value,
                    "channel": e.channel,
                    "receipt": e.receipt_uuid,
                }
                for e in events
            ],
            "access_log": [
                {
                    "date": fields.Datetime.to_string(log.log_date),
                    "recipient": log.recipient_id.name,
                    "category": log.category_id.code,
                    "purpose": log.purpose_id.code,
                    "reference": log.reference,
                }
                for log in logs
            ],
            "agreements": [
                {
                    "agreement": a.agreement_id.code,
                    "version": a.agreement_version,
                    "state": a.state,
                    "proffered": fields.Datetime.to_string(a.proffer_date),
                    "sha256": a.record_hash,
                }
                for a in agreements
            ],
            "rights_requests": [
                {
                    "reference": r.name,
                    "type": r.request_type,
                    "state": r.state,
                    "requested": fields.Datetime.to_string(r.request_date),
                    "deadline": fields.Date.to_string(r.deadline_date),
                }
                for r in requests
            ],
        }

    def _vrm_anonymize(self):
        """Erase this customer's identifying data; keep statistics and the pseudonymous history."""
        for partner in self.sudo().with_context(tracking_disable=True, mail_notrack=True):
            emails = {e for e in (partner.email_normalized,) if e}
            numbers = partner._vrm_sanitized_numbers()
            partner._vrm_subject_ref()
            messages = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        "|",
                        "&",
                        ("model", "=", "res.partner"),
                        ("res_id", "=", partner.id),
                        ("author_id", "=", partner.id),
                    ]
                )
            )
            messages.attachment_ids.unlink()
            messages.tracking_value_ids.unlink()
            self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)]).unlink()
            messages.write({"body": "", "subject": False, "email_from": False, "reply_to": False})
            messages.filtered(lambda m, p=partner: m.model == p._name and m.res_id == p.id).write(
                {"record_name": False}
            )
            self.env["ir.attachment"].sudo().search(
                [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
            ).unlink()
            pseudonym = self.env._("Erased customer %(ref)s", ref=partner.vrm_subject_ref[:8])
            partner.write(
                {
                    "name": pseudonym,
                    "email": False,
                    "phone": False,
                    "mobile": False,
                    "street": False,
                    "street2": False,
                    "zip": False,
                    "city": False,
                    "state_id": False,
                    "title": False,
                    "function": False,
                    "website": False,
                    "vat": False,
                    "company_registry": False,
                    "company_name": False,
                    "comment": False,
                    "ref": False,
                    "barcode": False,
                    "partner_latitude": 0.0,
                    "partner_longitude": 0.0,
                    "image_1920": False,
                }
            )
            for user in partner.with_context(active_test=False).user_ids:
                user.write(
                    {
                        "login": f"erased-{partner.vrm_subject_ref}",
                        "signature": False,
                        "active": False,
                    }
                )
            if emails:
                self.env["mail.blacklist"].sudo().with_context(active_test=False).search(
                    [("email", "in", list(emails))]
                ).unlink()
            if numbers:
                self.env["phone.blacklist"].sudo().with_context(active_test=False).search(
                    [("number", "in", list(numbers))]
                ).unlink()
            # consent history stays (immutable) but loses what identified the subject's device
            self.env["vrm.consent.event"].flush_model()
            self.env.cr.execute(
                "UPDATE vrm_consent_event SET ip_address = NULL, user_agent = NULL WHERE partner_id = %s",
                [partner.id],
            )
            self.env["vrm.consent.event"].invalidate_model(["ip_address", "user_agent"])
        return True
