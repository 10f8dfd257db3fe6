# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from datetime import date, datetime

from odoo import fields, models
from odoo.tools import html2plaintext

from ..tools import erasure

_logger = logging.getLogger(__name__)

# fields that say who the customer is; the register leaves them out of its categories because
# every screen shows them, but the export must carry them
IDENTITY_FIELDS = ("name", "parent_id", "company_name", "is_company", "lang", "tz", "create_date")
BINARY_NOTE = "(file kept by us, not included in this export)"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # rights requests: export -------------------------------------------------------------------

    def _vrm_export_value(self, fname):
        """The value of one field of this customer as the export shows it: names of linked
        records, ISO dates, labels of choices, a note instead of a file."""
        field = self._fields[fname]
        value = self[fname]
        if not value and field.type not in ("boolean", "integer", "float", "monetary"):
            value = False
        elif field.type in ("many2one", "reference"):
            value = value.display_name
        elif field.type == "selection":
            value = dict(field._description_selection(self.env)).get(value, value)
        elif field.type == "binary":
            value = BINARY_NOTE
        elif field.type == "html":
            value = html2plaintext(value)
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, models.BaseModel):
            value = value.mapped("display_name")
        return value

    def _vrm_export_messages(self, messages_sudo):
        """The messages of a thread as the customer sees them in the portal, without the
        name of anyone else (staff appear as the company)."""
        self.ensure_one()
        company = self.env.company.name
        return [
            {
                "date": fields.Datetime.to_string(m.date),
                "from": self.env._("you") if m.author_id == self else company,
                "type": m.message_type,
                "subject": m.subject or "",
                "body": html2plaintext(m.body or ""),
                "attachments": m.attachment_ids.mapped("name"),
            }
            for m in messages_sudo.sorted("id")
        ]

    def _vrm_shared_messages(self, model, res_ids):
        """The messages on these records that the customer could read (no internal notes),
        as sudo: the caller scopes res_ids to the customer's own records."""
        domain = [("model", "=", model), ("res_id", "in", list(res_ids))]
        return self.env["mail.message"].sudo().search(domain + self.env["mail.message"]._get_search_domain_share())

    def _vrm_export_data(self):
        """All this customer's data as a dict; other addons add their own key."""
        self.ensure_one()
        partner_sudo = self.sudo()
        field_map = self.env["vrm.data.category"].sudo()._vrm_field_map(self._name)
        fnames = [f for f in IDENTITY_FIELDS if f in self._fields] + sorted(
            f
            for f in field_map
            if f in self._fields and f not in IDENTITY_FIELDS and self._fields[f].type not in ("one2many", "many2many")
        )
        values = {fname: partner_sudo._vrm_export_value(fname) for fname in fnames}
        categories = {
            c.code: c.name for c in self.env["vrm.data.category"].sudo().with_context(active_test=False).search([])
        }
        prefs_sudo = self.env["vrm.preference"].sudo().search([("partner_id", "=", self.id)])
        events_sudo = self.env["vrm.consent.event"].sudo().search([("partner_id", "=", self.id)], order="id")
        logs_sudo = self.env["vrm.access.log"].sudo().search([("partner_id", "=", self.id)], order="id")
        agreements_sudo = self.env["vrm.agreement.record"].sudo().search([("partner_id", "=", self.id)])
        requests_sudo = self.env["vrm.rights.request"].sudo().search([("partner_id", "=", self.id)])
        data = {
            "partner": values,
            "data_categories": [
                {
                    "field": fname,
                    "label": self._fields[fname].string,
                    "category": field_map.get(fname, ""),
                    "category_name": categories.get(field_map.get(fname), ""),
                }
                for fname in fnames
            ],
            "preferences": [
                {
                    "recipient": p.recipient_id.name or p.recipient_type,
                    "purpose": p.purpose_id.code,
                    "category": p.category_id.code,
                    "allowed": p.allowed,
                }
                for p in prefs_sudo
            ],
            "consent_events": [
                {
                    "date": fields.Datetime.to_string(e.event_date),
                    "summary": e.summary,
                    "recipient": e.recipient_id.name or e.recipient_type,
                    "purpose": e.purpose_id.code,
                    "category": e.category_id.code,
                    "old_value": e.old_value,
                    "new_value": e.new_value,
                    "channel": e.channel,
                    "terms_version": e.terms_version or "",
                    "ip_address": e.ip_address or "",
                    "user_agent": e.user_agent or "",
                    "receipt_id": e.receipt_uuid,
                    # the signed receipt itself, verifiable on its own (Art. 7(1): proof of consent)
                    "receipt": e._vrm_receipt_document(),
                }
                for e in events_sudo
            ],
            "messages": self._vrm_export_messages(self._vrm_shared_messages(self._name, self.ids)),
            "access_log": [
                {
                    "date": fields.Datetime.to_string(log.log_date),
                    "recipient": log.recipient_id.name,
                    "category": log.category_id.code,
                    "purpose": log.purpose_id.code,
                    "reference": log.reference,
                }
                for log in logs_sudo
            ],
            "agreements": [
                {
                    "agreement": a.agreement_id.code,
                    "version": a.agreement_version,
                    "state": a.state,
                    "proffered": fields.Datetime.to_string(a.proffer_date),
                    "sha256": a.record_hash,
                }
                for a in agreements_sudo
            ],
            "rights_requests": [
                {
                    "reference": r.name,
                    "type": r.request_type,
                    "state": r.state,
                    "requested": fields.Datetime.to_string(r.request_date),
                    "deadline": fields.Date.to_string(r.deadline_date),
                }
                for r in requests_sudo
            ],
        }
        if "sms.sms" in self.env:
            data["sms"] = [
                {
                    "date": fields.Datetime.to_string(s.create_date),
                    "number": s.number,
                    "body": s.body,
                    "state": s.state,
                }
                for s in self._vrm_sms_sudo()
            ]
        return data

    def _vrm_sms_sudo(self):
        """The text messages sent (or queued) to this customer: by partner or by one of their
        numbers, empty when the sms module is not installed."""
        self.ensure_one()
        if "sms.sms" not in self.env:
            return self.env["res.partner"]
        domain = [("partner_id", "=", self.id)]
        numbers = self._vrm_sanitized_numbers()
        if numbers:
            domain = ["|", ("number", "in", list(numbers)), *domain]
        return self.env["sms.sms"].sudo().search(domain, order="id")

    # rights requests: erasure ------------------------------------------------------------------

    def _vrm_erasure_identifiers(self):
        """{"emails", "phones", "texts"}: the values that identify this customer, to scrub from
        every table; other addons add the copies they keep (a ticket's own contact details)."""
        self.ensure_one()
        partner_sudo = self.sudo()
        users_sudo = partner_sudo.with_context(active_test=False).user_ids
        emails = {e for e in (partner_sudo.email, partner_sudo.email_normalized) if e}
        emails |= {login for login in users_sudo.mapped("login") if "@" in login}
        phones = {n for n in (partner_sudo.phone, partner_sudo.mobile) if n} | partner_sudo._vrm_sanitized_numbers()
        texts = {t for t in (partner_sudo.name, partner_sudo.street) if t}
        return {"emails": emails, "phones": phones, "texts": texts}

    def _vrm_shared_identifiers(self, identifiers):
        """The identifiers another contact also holds as its own (a namesake, a household's
        street or landline, the employer's address): scrubbing them would erase that person's
        data too, so they are kept. The customer's own child contacts do not count."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        others = [("id", "not in", Partner.search([("id", "child_of", self.id)]).ids)]
        shared = {"emails": set(), "phones": set(), "texts": set()}
        for email in identifiers["emails"]:
            if Partner.search_count([*others, ("email_normalized", "=ilike", email.strip())], limit=1):
                shared["emails"].add(email)
        for number in identifiers["phones"]:
            e164 = self._phone_format(number=number) or number
            if Partner.search_count([*others, ("phone_mobile_search", "=", e164)], limit=1):
                shared["phones"].add(number)
        for text in identifiers["texts"]:
            domain = ["|", ("name", "=ilike", text), ("street", "=ilike", text)]
            if Partner.search_count([*others, *domain], limit=1):
                shared["texts"].add(text)
        return shared

    def _vrm_erase_everywhere(self, identifiers):
        """Scrub the identifiers from every text, varchar and jsonb column of the database
        (tools/erasure.py: the one SQL path), except those another contact holds too."""
        self.ensure_one()
        shared = self._vrm_shared_identifiers(identifiers)
        kept = {kind: values for kind, values in shared.items() if values}
        patterns = erasure.patterns(
            emails=identifiers["emails"] - shared["emails"],
            phones=identifiers["phones"] - shared["phones"],
            texts=identifiers["texts"] - shared["texts"],
            region=self.sudo().country_id.code or self.env.company.country_id.code or None,
        )
        self.env.flush_all()
        changed = erasure.scrub(self.env.cr, patterns)
        # the scrub wrote below the ORM: nothing cached may show the old values
        self.env.invalidate_all()
        if kept:
            _logger.info("erasure of partner %s kept identifiers shared with other contacts: %s", self.id, sorted(kept))
        return {"changed": changed, "kept": sorted(kept)}

    def _vrm_anonymize(self):
        """Erase this customer's identifying data; keep statistics and the pseudonymous history."""
        for partner in self.sudo().with_context(tracking_disable=True, mail_notrack=True):
            # collected first: the ORM part below blanks the fields they are read from
            identifiers = partner._vrm_erasure_identifiers()
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
            # text messages still queued would go to a number that no longer belongs to anyone
            partner._vrm_sms_sudo().filtered(lambda s: s.state == "outgoing").unlink()
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
            partner._vrm_erase_everywhere(identifiers)
        return True
