# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from .vrm_consent_event import server_only


class ResPartner(models.Model):
    _inherit = "res.partner"

    vrm_subject_ref = fields.Char(
        string="Data subject pseudonym",
        copy=False,
        readonly=True,
        groups="crm_vrm.group_vrm_user",
        help="Random identifier used in consent receipts instead of the customer's name.",
    )
    vrm_preference_ids = fields.One2many(
        comodel_name="vrm.preference",
        inverse_name="partner_id",
        string="Data sharing choices",
        groups="crm_vrm.group_vrm_user",
    )
    vrm_sharing = fields.Char(
        string="Data sharing choices (index)",
        compute="_compute_vrm_sharing",
        store=True,
        prefetch=False,
        groups="crm_vrm.group_vrm_user",
        help="The customer's choices in one line (\" <purpose id>.<category id>.<recipient id or "
        'type>:<1 allowed, 0 denied>" each), kept by the ORM from the choices: enforced reads get it '
        "in the same query as the customer instead of asking for the choices separately.",
    )
    vrm_consent_event_ids = fields.One2many(
        comodel_name="vrm.consent.event",
        inverse_name="partner_id",
        string="Consent history",
        groups="crm_vrm.group_vrm_user",
    )

    @api.depends(
        "vrm_preference_ids.allowed",
        "vrm_preference_ids.recipient_id",
        "vrm_preference_ids.recipient_type",
        "vrm_preference_ids.purpose_id",
        "vrm_preference_ids.category_id",
    )
    def _compute_vrm_sharing(self):
        for partner in self:
            partner.vrm_sharing = "".join(
                sorted(
                    f" {pref.purpose_id.id}.{pref.category_id.id}.{pref.recipient_id.id or pref.recipient_type}"
                    f":{int(pref.allowed)}"
                    for pref in partner.vrm_preference_ids
                )
            )

    # register look-ups ------------------------------------------------------------------------

    def _vrm_subject_ref(self):
        """The pseudonym of this customer in consent receipts, created on first use."""
        self.ensure_one()
        partner = self.sudo()
        if not partner.vrm_subject_ref:
            partner.vrm_subject_ref = str(uuid.uuid4())
        return partner.vrm_subject_ref

    @api.model
    def _vrm_recipient_record(self, recipient):
        """Accept a vrm.recipient record, an id or an XML id."""
        if isinstance(recipient, str):
            recipient = self.env.ref(recipient)
        elif isinstance(recipient, int):
            recipient = self.env["vrm.recipient"].browse(recipient)
        return recipient.sudo()

    # changing choices -------------------------------------------------------------------------

    def _vrm_set_preference(  # noqa: PLR0917 - the contract's signature
        self,
        recipient,
        purpose_code,
        category_code,
        allowed,
        channel="staff",
        request_meta=None,
        reason=None,
    ):
        """Record a choice (recipient record, or a recipient type for every recipient of that
        type) as an immutable, receipted consent event; returns the event."""
        self.ensure_one()
        if isinstance(recipient, str) and recipient in ("company", "franchise", "partner"):
            recipient_type, recipient = recipient, self.env["vrm.recipient"].browse()
        else:
            recipient = self._vrm_recipient_record(recipient)
            recipient_type = recipient.recipient_type
        purpose = self.env["vrm.purpose"]._vrm_get(purpose_code)
        category = self.env["vrm.data.category"]._vrm_get(category_code)
        if purpose.legal_basis == "contract" and category.contract_minimum and not allowed:
            raise UserError(
                self.env._(
                    "%(purpose)s of %(category)s is needed to serve you and is always on.",
                    purpose=purpose.name,
                    category=category.name.lower(),
                )
            )
        prefs = self.env["vrm.preference"].sudo()
        pref = prefs.search(
            [
                ("partner_id", "=", self.id),
                ("recipient_type", "=", recipient_type),
                ("recipient_id", "=", recipient.id),
                ("purpose_id", "=", purpose.id),
                ("category_id", "=", category.id),
            ],
            limit=1,
        )
        old_value = ("allowed" if pref.allowed else "denied") if pref else "unset"
        new_value = "allowed" if allowed else "denied"
        # the event first: it refuses a channel the acting user may not claim before anything changes
        event = self.env["vrm.consent.event"]._vrm_record(
            self,
            {
                "recipient_type": recipient_type,
                "recipient_id": recipient.id,
                "purpose_id": purpose.id,
                "category_id": category.id,
                "old_value": old_value,
                "new_value": new_value,
            },
            channel,
            request_meta=request_meta,
            reason=reason,
        )
        # the choice changes only beside its event: the marker proves server code does it
        prefs, pref = prefs.with_context(**server_only.context()), pref.with_context(**server_only.context())
        if pref:
            pref.allowed = bool(allowed)
        else:
            prefs.create(
                {
                    "partner_id": self.id,
                    "recipient_type": recipient_type,
                    "recipient_id": recipient.id,
                    "purpose_id": purpose.id,
                    "category_id": category.id,
                    "allowed": bool(allowed),
                }
            )
        self._vrm_sync_blacklists(event)
        self._vrm_on_consent_changed(event)
        return event

    def _vrm_sync_blacklists(self, events):
        """Marketing choices towards the company drive mail.blacklist and phone.blacklist."""
        for event in events:
            if (
                event.purpose_id.code != "marketing"
                or event.category_id.code != "contact"
                or event.recipient_type != "company"
            ):
                continue
            partner = event.partner_id.sudo()
            numbers = partner._vrm_sanitized_numbers()
            mail_bl = self.env["mail.blacklist"].sudo()
            phone_bl = self.env["phone.blacklist"].sudo()
            if event.new_value == "denied":
                if partner.email_normalized:
                    mail_bl._add(partner.email_normalized, message="Denied marketing (VRM)")
                for number in numbers:
                    phone_bl._add([number], message="Denied marketing (VRM)")
            else:
                if partner.email_normalized:
                    mail_bl._remove(partner.email_normalized, message="Allowed marketing (VRM)")
                for number in numbers:
                    phone_bl._remove([number], message="Allowed marketing (VRM)")

    def _vrm_sanitized_numbers(self):
        """The E.164 forms of this partner's phone numbers (for the phone blacklist)."""
        self.ensure_one()
        numbers = {self._phone_format(number=n) for n in (self.phone, self.mobile) if n}
        return {n for n in numbers if n}

    def _vrm_on_consent_changed(self, events):
        """Hook called after every change of choices (crm_api sends consent.changed)."""
        return True

    @api.model
    def _cron_vrm_rebuild_sharing(self):
        """Daily safety net: rebuild the choices index of the customers whose choices were
        changed outside the ORM (SQL scripts); returns how many were stale."""
        return self._vrm_rebuild_sharing()

    @api.model
    def _vrm_rebuild_sharing(self):
        """Set vrm_sharing, in SQL, to what _compute_vrm_sharing makes of the stored choices
        wherever it differs (same keys, sorted by code point like Python); returns how many
        customers changed. A stale index may show what a customer no longer shares: enforced
        reads trust it."""
        self.env["vrm.preference"].flush_model()
        self.flush_model(["vrm_sharing"])
        self.env.cr.execute(
            """
            WITH choice AS (
                SELECT partner_id,
                       ' ' || purpose_id || '.' || category_id || '.'
                       || COALESCE(recipient_id::text, recipient_type) || ':'
                       || COALESCE(allowed, FALSE)::int AS item
                  FROM vrm_preference
            ), expected AS (
                SELECT partner_id, string_agg(item, '' ORDER BY item COLLATE "C") AS sharing
                  FROM choice
                 GROUP BY partner_id
            )
            UPDATE res_partner partner
               SET vrm_sharing = expected.sharing
              FROM expected
             WHERE expected.partner_id = partner.id
               AND partner.vrm_sharing IS DISTINCT FROM expected.sharing
            RETURNING partner.id
            """
        )
        changed = [row[0] for row in self.env.cr.fetchall()]
        self.env.cr.execute(
            """
            UPDATE res_partner partner
               SET vrm_sharing = NULL
             WHERE COALESCE(partner.vrm_sharing, '') <> ''
               AND NOT EXISTS (SELECT 1 FROM vrm_preference pref WHERE pref.partner_id = partner.id)
            RETURNING partner.id
            """
        )
        changed += [row[0] for row in self.env.cr.fetchall()]
        if changed:
            self.browse(changed).invalidate_recordset(["vrm_sharing"])
        return len(changed)

    # portal ------------------------------------------------------------------------------------

    def _vrm_portal_matrix(self):
        """The cards of "My data sharing": per recipient (and per recipient type), per purpose,
        each category with its effective choice, whether it is locked on and where it comes from."""
        self.ensure_one()
        purposes = self.env["vrm.purpose"].sudo().search([])
        categories = self.env["vrm.data.category"].sudo().search([])
        recipients = self.env["vrm.recipient"].sudo().search([])
        prefs = self.env["vrm.preference"].sudo().search([("partner_id", "=", self.id)])
        own = {(p.recipient_id.id, p.purpose_id.id, p.category_id.id): p.allowed for p in prefs}
        grouped = {
            (p.recipient_type, p.purpose_id.id, p.category_id.id): p.allowed for p in prefs if not p.recipient_id
        }
        type_labels = {
            "franchise": self.env._("All franchises"),
            "partner": self.env._("All partners"),
        }
        cards = []
        targets = []
        for rtype in ("company", "franchise", "partner"):
            members = recipients.filtered(lambda r, t=rtype: r.recipient_type == t)
            if not members:
                continue
            if rtype != "company" and len(members) > 1:
                targets.append((rtype, self.env["vrm.recipient"], type_labels[rtype]))
            targets += [(rtype, r, r.name) for r in members]
        for rtype, recipient, title in targets:
            card = {
                "key": f"r:{recipient.id}" if recipient else f"t:{rtype}",
                "title": title,
                "description": recipient.description
                or (
                    self.env._("Applies to each of them unless you choose otherwise for one.") if not recipient else ""
                ),
                "is_group": not recipient,
                "purposes": [],
                "sees": [],
            }
            for purpose in purposes:
                rows = []
                for category in categories:
                    locked = purpose.legal_basis == "contract" and category.contract_minimum
                    key = (purpose.id, category.id)
                    source = "default"
                    allowed = False
                    if locked:
                        allowed, source = True, "contract"
                    elif recipient and (recipient.id, *key) in own:
                        allowed, source = own[(recipient.id, *key)], "own"
                    elif (rtype, *key) in grouped:
                        allowed, source = grouped[(rtype, *key)], "group"
                    rows.append(
                        {
                            "category": category,
                            "allowed": allowed,
                            "locked": locked,
                            "source": source,
                        }
                    )
                shared = [r["category"].name.lower() for r in rows if r["allowed"]]
                if shared:
                    card["sees"].append(
                        self.env._(
                            "%(what)s for %(why)s",
                            what=", ".join(shared),
                            why=purpose.name.lower(),
                        )
                    )
                card["purposes"].append({"purpose": purpose, "rows": rows})
            cards.append(card)
        return cards

    def _vrm_portal_set(self, key, purpose_code, category_code, allowed, request_meta=None):
        """Apply one switch of the portal page (key "r:<recipient id>" or "t:<type>")."""
        self.ensure_one()
        kind, _sep, value = (key or "").partition(":")
        if kind == "t" and value in ("franchise", "partner"):
            recipient = value
        elif kind == "r" and value.isdigit():
            recipient = self.env["vrm.recipient"].sudo().search([("id", "=", int(value))])
            if not recipient:
                raise UserError(self.env._("This recipient no longer exists."))
        else:
            raise UserError(self.env._("Unknown recipient."))
        return self._vrm_set_preference(
            recipient,
            purpose_code,
            category_code,
            bool(allowed),
            channel="portal",
            request_meta=request_meta,
        )

    # MyTerms ----------------------------------------------------------------------------------

    def _vrm_proffer_agreement(self, agreement):
        """The customer proffers a standard agreement; the company's policy answers it at once
        or sends it to the privacy officer. Returns the signed agreement record."""
        self.ensure_one()
        agreement = agreement.sudo()
        if not agreement.active:
            raise UserError(self.env._("This agreement is no longer offered."))
        Record = self.env["vrm.agreement.record"].sudo()
        if Record.search_count(
            [
                ("partner_id", "=", self.id),
                ("agreement_id", "=", agreement.id),
                ("state", "in", ("review", "accepted")),
            ]
        ):
            raise UserError(self.env._("You have already proffered this agreement."))
        record = Record.create(
            {
                "partner_id": self.id,
                "agreement_id": agreement.id,
                "agreement_version": agreement.version,
            }
        )
        if agreement.policy == "review":
            record._vrm_seal()
        else:
            record._vrm_decide(agreement.policy == "accept")
        return record
