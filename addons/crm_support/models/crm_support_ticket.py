# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
import json
import re
import threading
import uuid
from datetime import timedelta, timezone

from markupsafe import Markup, escape

from odoo import SUPERUSER_ID, Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, email_normalize, html2plaintext
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.mimetypes import guess_mimetype
from odoo.tools.sql import create_index, drop_index

from odoo.addons.resource.models.utils import make_aware

try:
    import phonenumbers
except ImportError:  # pragma: no cover - phone_validation requires it in this suite
    phonenumbers = None

from .crm_franchise_area import normalize_zip
from .crm_support_routing_rule import CHANNELS, PRIORITIES
from .crm_support_stage import STAGE_CODES
from .resource_calendar import INTERVAL_WINDOW_DAYS

# Postcode formats checked on intake; other countries get a generic check.
ZIP_FORMATS = {
    "GB": r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
    "CH": r"^[0-9]{4}$",
    "AT": r"^[0-9]{4}$",
    "BE": r"^[0-9]{4}$",
    "DE": r"^[0-9]{5}$",
    "FR": r"^[0-9]{5}$",
    "US": r"^[0-9]{5}(-[0-9]{4})?$",
    "NL": r"^[0-9]{4} ?[A-Z]{2}$",
}
GENERIC_ZIP = r"^[A-Z0-9][A-Z0-9 -]{1,9}$"
MAX_SUBJECT = 200
MAX_DESCRIPTION = 10000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf")
HEIC_BRANDS = (b"ftypheic", b"ftypheix", b"ftypmif1")
INTAKE_FIELDS = (
    "subject",
    "description",
    "contact_name",
    "email",
    "phone",
    "street",
    "city",
    "zip",
    "country_id",
    "state_id",
    "category_id",
    "product_name",
    "priority",
    "partner_id",
)


class CrmSupportTicket(models.Model):
    _name = "crm.support.ticket"
    _description = "Service Request"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _primary_email = "email"
    # Whoever may read a request may write in its thread: the customer (who only reads it) answers there.
    _mail_post_access = "read"
    _check_company_auto = True

    name = fields.Char(string="Reference", default="/", readonly=True, copy=False, index="trigram")
    subject = fields.Char(required=True, tracking=True)
    description = fields.Html(sanitize=True, sanitize_overridable=False)
    company_id = fields.Many2one(comodel_name="res.company", required=True, default=lambda self: self.env.company)
    channel = fields.Selection(selection=CHANNELS, default="backend", required=True, readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", tracking=True, index=True)
    commercial_partner_id = fields.Many2one(
        comodel_name="res.partner", related="partner_id.commercial_partner_id", store=True, index=True, precompute=True
    )
    # Contact details are personal data: franchise people read them through crm_vrm (_customer_view).
    contact_name = fields.Char(groups="base.group_user")
    email = fields.Char(groups="base.group_user")
    phone = fields.Char(groups="base.group_user")
    street = fields.Char(groups="base.group_user")
    city = fields.Char(groups="base.group_user")
    zip = fields.Char(string="Postcode")
    state_id = fields.Many2one(comodel_name="res.country.state")
    country_id = fields.Many2one(comodel_name="res.country")
    category_id = fields.Many2one(comodel_name="crm.support.category", tracking=True)
    product_name = fields.Char(string="Product or Asset")
    priority = fields.Selection(selection=PRIORITIES, default="1", required=True, tracking=True)
    stage_id = fields.Many2one(
        comodel_name="crm.support.stage",
        default=lambda self: self._default_stage(),
        required=True,
        tracking=True,
        group_expand="_read_group_stage_ids",
        index=True,
        copy=False,
    )
    # Precomputed: written by the INSERT, not by an UPDATE right after it.
    stage_code = fields.Selection(related="stage_id.code", store=True, string="Status", precompute=True)
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, precompute=True)
    franchise_id = fields.Many2one(
        comodel_name="crm.franchise", tracking=True, index=True, check_company=True, copy=False
    )
    # indexed with the ticket id (init): the routing's look-up of each person's last ticket
    user_id = fields.Many2one(comodel_name="res.users", string="Assigned To", tracking=True, copy=False)
    is_triage = fields.Boolean(string="In Triage", readonly=True, copy=False, index=True)
    # Routing decision, stored and shown on the ticket.
    routing_rule_id = fields.Many2one(comodel_name="crm.support.routing.rule", readonly=True, copy=False)
    routing_strategy = fields.Char(readonly=True, copy=False)
    routing_reason = fields.Text(readonly=True, copy=False)
    # The routing's workings (other people's names and ids) and the visitor's address are head office's.
    routing_candidates = fields.Text(
        readonly=True, copy=False, groups="crm_support.group_support_user", help="Ranked candidates and why."
    )
    routing_queue = fields.Char(
        readonly=True, copy=False, groups="crm_support.group_support_user", help="JSON list of next candidate user ids."
    )
    routed_at = fields.Datetime(readonly=True, copy=False)
    accept_deadline = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    accepted_at = fields.Datetime(readonly=True, copy=False)
    first_response_at = fields.Datetime(readonly=True, copy=False)
    closed_at = fields.Datetime(readonly=True, copy=False)
    resolution = fields.Text(copy=False)
    # Service levels: deadlines in the franchise's working hours, indexed for the escalation sweep.
    request_date = fields.Datetime(
        default=lambda self: fields.Datetime.now(),
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="When the request came in: the SLA clock starts here.",
    )
    sla_policy_id = fields.Many2one(comodel_name="crm.support.sla.policy", readonly=True, copy=False)
    sla_response_deadline = fields.Datetime(string="First Response Due", readonly=True, copy=False, index=True)
    sla_resolution_deadline = fields.Datetime(string="Resolution Due", readonly=True, copy=False, index=True)
    sla_paused_since = fields.Datetime(readonly=True, copy=False)
    sla_paused_hours = fields.Float(readonly=True, copy=False, help="Working hours spent waiting on the customer.")
    sla_status = fields.Selection(
        selection=[
            ("on_track", "On track"),
            ("at_risk", "At risk"),
            ("breached", "Breached"),
            ("paused", "Paused"),
            ("met", "Met"),
        ],
        compute="_compute_sla_status",
        string="SLA",
    )
    next_escalation_at = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    escalation_log_ids = fields.One2many(
        comodel_name="crm.support.escalation.log", inverse_name="ticket_id", string="Escalations"
    )
    escalation_count = fields.Integer(compute="_compute_escalation_count")
    tracking_url = fields.Char(
        compute="_compute_links", groups="crm_support.group_support_user", help="Customer tracking link."
    )
    deep_link = fields.Char(compute="_compute_links", help="Short link to the staff mobile page.")
    response_work_hours = fields.Float(
        readonly=True, copy=False, help="Working hours from the request to the first response."
    )
    resolution_work_hours = fields.Float(
        readonly=True, copy=False, help="Working hours from the request to closing, pauses excluded."
    )
    rating_value = fields.Integer(string="Rating", readonly=True, copy=False, help="1 to 5, given by the customer.")
    rating_comment = fields.Text(readonly=True, copy=False)
    intake_ip = fields.Char(
        string="Intake IP", readonly=True, copy=False, index="btree_not_null", groups="crm_support.group_support_user"
    )
    followup_pending_since = fields.Datetime(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Intake left the acknowledgement e-mail and notifications to the follow-up queue, run right after commit.",
    )

    def init(self):
        # Routing counts each person's open tickets and finds their last one on every request: index
        # look-ups, not a read of every ticket a person ever had. Searches on user_id use the first one; the
        # single-column index of earlier versions would only slow down every INSERT.
        create_index(self.env.cr, "crm_support_ticket_user_id_id_index", self._table, ["user_id", "id"])
        drop_index(self.env.cr, "crm_support_ticket__user_id_index", self._table)
        create_index(
            self.env.cr,
            "crm_support_ticket_user_id_open_index",
            self._table,
            ["user_id"],
            where="is_closed IS NOT TRUE",
        )

    @api.model
    def _default_stage(self):
        return self.env["crm.support.stage"].browse(self.env["crm.support.stage"]._id_by_code("new"))

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([])

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/support/tickets/{ticket.id}"
        return res

    @api.depends(
        "sla_response_deadline",
        "sla_resolution_deadline",
        "sla_paused_since",
        "first_response_at",
        "closed_at",
        "is_closed",
        "sla_policy_id.at_risk_minutes",
    )
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.sla_status = ticket._sla_status_at(now)

    def _sla_status_at(self, now):
        if not self.sla_policy_id:
            return False
        if self.is_closed:
            met = self.sla_resolution_deadline and (self.closed_at or now) <= self.sla_resolution_deadline
            return "met" if met else "breached"
        if self.sla_paused_since:
            return "paused"
        deadlines = [self.sla_resolution_deadline]
        if not self.first_response_at:
            deadlines.append(self.sla_response_deadline)
        due = min([d for d in deadlines if d], default=None)
        status = "on_track"
        if due and now > due:
            status = "breached"
        elif due and now >= due - timedelta(minutes=self.sla_policy_id.at_risk_minutes):
            status = "at_risk"
        return status

    @api.depends("escalation_log_ids")
    def _compute_escalation_count(self):
        counts = dict(
            self.env["crm.support.escalation.log"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.escalation_count = counts.get(ticket, 0)

    @api.depends("access_token")
    def _compute_links(self):
        for ticket in self:
            if ticket.id:
                ticket.tracking_url = ticket.sudo()._tracking_url()
                ticket.deep_link = ticket._deep_link()
            else:
                ticket.tracking_url = ticket.deep_link = False

    @api.depends("name", "subject")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = f"{ticket.name} {ticket.subject or ''}".strip()

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        lean = self.env.context.get("crm_support_followup_later")
        self._create_complete_vals(vals_list, lean)
        if lean and not self.env.context.get("crm_support_no_route"):
            # Lean intake decides routing and deadlines before the INSERT: one row written, no UPDATE after.
            vals_list = [self._intake_decide(vals) for vals in vals_list]
        tickets = super().create(vals_list)
        prerouted = tickets.filtered("routed_at") if lean else self.browse()
        tickets.filtered(lambda t: t.is_closed and not t.closed_at).write({"closed_at": fields.Datetime.now()})
        # Imported or demo tickets may come with their history: store their times in working hours too.
        tickets.filtered(lambda t: t.first_response_at or t.closed_at)._compute_work_hours()
        if not self.env.context.get("crm_support_no_route"):
            to_route = (tickets - prerouted).filtered(lambda t: not t.user_id and not t.is_closed)
            if to_route:
                to_route.with_context(crm_support_creating=True)._route()
        (tickets - prerouted)._sla_apply()
        sms_vals = []
        if prerouted:
            prerouted.filtered("user_id")._notify_assignee_sms(sms_vals)
        if not self.env.context.get("crm_support_no_ack"):
            tickets._send_acknowledgement(sms_vals)
        if sms_vals:
            # Assignee's and customer's SMS queued together: one INSERT.
            self.env["sms.sms"].sudo().create(sms_vals)
            self._wake_sms_queue()
        if prerouted:
            prerouted._on_routed()
        if lean:
            tickets._followup_enqueue()
        tickets._on_tickets_created()
        return tickets

    def _create_complete_vals(self, vals_list, lean):
        """Reference, contact details from the customer and, for lean intake, the follow-up flag and the
        portal token (in place)."""
        sequences = {}
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company_id = vals.get("company_id") or self.env.company.id
                if company_id not in sequences:
                    sequences[company_id] = self._reference_sequence(company_id)
                vals["name"] = sequences[company_id]._next() if sequences[company_id] else "/"
            if vals.get("partner_id") and not (vals.get("email") and vals.get("phone")):
                partner = self.env["res.partner"].sudo().browse(vals["partner_id"])
                vals.setdefault("email", partner.email)
                vals.setdefault("phone", partner.mobile or partner.phone)
                vals.setdefault("contact_name", partner.name)
            if lean:
                vals["followup_pending_since"] = fields.Datetime.now()
                # the tracking link of the acknowledgement SMS needs it: set now, not by a write after
                vals.setdefault("access_token", str(uuid.uuid4()))

    @api.model
    def _reference_sequence(self, company_id):
        """The sequence of the company's references, picked as next_by_code picks it (the company's own,
        else the shared one), with only the columns numbering reads: every request takes a number."""
        return (
            self.env["ir.sequence"]
            .sudo()
            .search_fetch(
                [("code", "=", "crm.support.ticket"), ("company_id", "in", [company_id, False])],
                ["implementation", "use_date_range", "prefix", "suffix", "padding", "number_increment"],
                order="company_id",
                limit=1,
            )
        )

    @api.model
    def _intake_decide(self, vals):
        """Values of a new ticket with its routing decision and SLA deadlines, decided before it is created."""
        vals = self._add_missing_default_values(vals)
        # The draft's stage code and closed flag from a cache, not read from its stage (a query); create
        # computes them again for the ticket it stores.
        stages = self.env["crm.support.stage"]._code_and_closed()

        def stage_flags(stage_id):
            code, closed = stages.get(stage_id, (False, False))
            return {"stage_code": code, "is_closed": closed}

        draft = self.new(dict(vals, **stage_flags(vals.get("stage_id"))))
        if draft.user_id or draft.is_closed:
            return vals
        now = fields.Datetime.now()
        route_vals = draft._routing_vals(now)
        draft.update(dict(route_vals, **stage_flags(route_vals["stage_id"])))
        vals.update(route_vals)
        vals.update(draft._sla_vals(with_escalation=True))
        return vals

    # ------------------------------------------------------------------ intake
    @api.model
    def _intake(self, vals, channel):
        """Validate, create, route and acknowledge a service request from any channel."""
        if channel not in dict(CHANNELS):
            raise UserError(self.env._("Unknown channel: %s", channel))
        attachments = vals.get("attachments") or []
        # Lean request: no tracking, followers or notifications at create; the acknowledgement e-mail,
        # the notifications and the assignee's subscription follow right after commit (_cron_intake_followup).
        lean = self.with_context(
            crm_support_followup_later=True,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        # Files are checked before anything is created: a refused upload leaves no request behind.
        attachments = self._intake_check_attachments(attachments)
        clean = lean._intake_clean(vals, channel)
        clean["channel"] = channel
        ticket = lean.sudo().create(clean)
        if attachments:
            ticket._intake_attach(attachments)
        return self.sudo().browse(ticket.id)

    @api.model
    @tools.ormcache("lang")
    def _intake_form_choices(self, lang):
        """Categories and countries the request forms offer, as ((id, escaped name), ...) per language.

        Cached: the public form is opened before every request; categories and countries clear the cache
        when one is created, changed or deleted (crm.support.cached.mixin).
        """
        env = self.with_context(lang=lang, active_test=True).env
        categories = env["crm.support.category"].sudo().search_fetch([], ["name"])
        countries = env["res.country"].sudo().search_fetch([], ["name"])
        return (
            tuple((c.id, str(escape(c.name))) for c in categories),
            tuple((c.id, str(escape(c.name))) for c in countries),
        )

    @api.model
    def _intake_form_options(self, category_id=None, country_id=None):
        """The <option> lists of the request forms, with the given category and country (by default the
        company's) selected."""

        def options(choices, selected):
            try:
                selected = int(selected or 0)
            except (TypeError, ValueError):
                selected = 0
            return Markup(
                "".join(
                    f'<option value="{cid}"{" selected" if cid == selected else ""}>{name}</option>'
                    for cid, name in choices
                )
            )

        categories, countries = self._intake_form_choices(self.env.lang or "en_US")
        return options(categories, category_id), options(countries, country_id or self._intake_default_country_id())

    @api.model
    def _intake_default_country_id(self):
        """The company's country, preselected on the forms: read each time (a change of it clears no
        cache), but not by reading the whole user, company and contact on every form."""
        # The user's company column only: the page's rendering then finds env.company in the cache.
        self.env.user.fetch(["company_id"])
        self.env["res.company"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["country_id"])
        self.env.cr.execute(
            "SELECT p.country_id FROM res_company c JOIN res_partner p ON p.id = c.partner_id WHERE c.id = %s",
            [self.env.company.id],
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    @api.model
    def _intake_clean(self, vals, channel):
        """Server-side validation of intake values; returns the values to create."""
        clean = self._intake_clean_text(vals, channel)
        for key, model in (
            ("country_id", "res.country"),
            ("state_id", "res.country.state"),
            ("category_id", "crm.support.category"),
        ):
            if key in clean:
                record = self._intake_record(model, clean[key])
                if not record:
                    raise ValidationError(self.env._("Unknown %s.", key.replace("_id", "")))
                clean[key] = record.id
        country = self.env["res.country"].browse(clean.get("country_id")) or self.env.company.country_id
        if clean.get("email"):
            clean["email"] = email_normalize(clean["email"])
            if not clean["email"]:
                raise ValidationError(self.env._("The e-mail address is not valid."))
        if clean.get("phone"):
            clean["phone"] = self._intake_phone(clean["phone"], country)
        if clean.get("zip"):
            clean["zip"] = self._intake_zip(clean["zip"], country)
        if channel == "public":
            # A public visitor never picks the customer record, nor the top priority.
            clean.pop("partner_id", None)
            if not (clean.get("email") or clean.get("phone")):
                raise ValidationError(self.env._("Give an e-mail address or a phone number so we can reach you."))
        if channel == "public":
            # Nothing proves a visitor owns the e-mail or number typed: matching an existing contact would
            # put a stranger's request in that customer's portal, greet them with the customer's name and
            # show the assignee the customer's record. A contact of the request's own, marked unverified.
            clean["partner_id"] = self._intake_new_partner(clean, country, unverified=True).id
        elif channel in ("email", "api") and not clean.get("partner_id"):
            clean["partner_id"] = self._intake_partner(clean, country).id
        if vals.get("intake_ip"):
            clean["intake_ip"] = str(vals["intake_ip"])[:64]
        return clean

    @api.model
    def _intake_clean_text(self, vals, channel):
        """Allowed keys only, trimmed, with size limits; form descriptions become escaped text."""
        clean = {k: vals[k] for k in INTAKE_FIELDS if vals.get(k) not in (None, "", False)}
        for key in ("subject", "contact_name", "email", "phone", "street", "city", "zip", "product_name"):
            if key in clean:
                clean[key] = str(clean[key]).strip()
                if len(clean[key]) > MAX_SUBJECT:
                    raise ValidationError(self.env._("%s is too long.", key))
        if not clean.get("subject"):
            raise ValidationError(self.env._("Please describe the request in a few words."))
        description = str(clean.get("description") or "")
        if len(description) > MAX_DESCRIPTION:
            raise ValidationError(self.env._("The description is too long (at most %s characters).", MAX_DESCRIPTION))
        if description and channel in ("public", "portal", "api"):
            # Text from forms is never trusted as HTML: tags are dropped, the rest escaped.
            text = html2plaintext(description) if "<" in description else description
            clean["description"] = Markup("<p>%s</p>") % text
        if channel in ("public", "portal") and clean.get("priority") == "3":
            clean["priority"] = "2"
        return clean

    @api.model
    def _intake_record(self, model, value):
        Model = self.env[model].sudo()
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            # One query instead of two (exists(), then the first read of a field): the record with the
            # columns a read would prefetch; archived ones too, like exists().
            fnames = [name for name, field in Model._fields.items() if field.prefetch is True and field.column_type]
            return Model.with_context(active_test=False).search_fetch([("id", "=", int(value))], fnames)
        if model == "crm.support.category":
            return Model.search([("code", "=", value)], limit=1)
        if model == "res.country":
            return Model.search([("code", "=", str(value).upper())], limit=1)
        return Model.browse()

    @api.model
    def _intake_phone(self, number, country):
        """The phone number in E.164, or a ValidationError."""
        if not phonenumbers:
            return number
        try:
            parsed = phonenumbers.parse(number, country.code or None)
        except phonenumbers.NumberParseException as exc:
            raise ValidationError(self.env._("The phone number %s is not valid.", number)) from exc
        if not phonenumbers.is_valid_number(parsed):
            raise ValidationError(self.env._("The phone number %s is not valid.", number))
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    @api.model
    def _intake_zip(self, zip_code, country):
        """The postcode in upper case, checked against the country's format."""
        code = re.sub(r"\s+", " ", zip_code.strip().upper())
        if not re.match(ZIP_FORMATS.get(country.code or "", GENERIC_ZIP), code):
            raise ValidationError(
                self.env._(
                    "%(zip)s is not a valid postcode for %(country)s.", zip=zip_code, country=country.name or "-"
                )
            )
        return code

    @api.model
    def _intake_partner(self, clean, country):
        """The customer of a mail or staff-filed request: an existing contact with this e-mail or phone, else
        a new one (never for anonymous requests: _intake_new_partner)."""
        Partner = self.env["res.partner"].sudo()
        partner = Partner.browse()
        email, phone = clean.get("email") or None, clean.get("phone") or None
        if email or phone:
            # One query on two indexes: the normalised e-mail, or the contact's number in E.164 as
            # phone_validation keeps it (its mobile, else its phone), however it was typed. A match on
            # the e-mail first, then in the contacts' usual order.
            Partner.flush_model(["email_normalized", "phone_sanitized", "active", "complete_name"])
            self.env.cr.execute(
                """
                SELECT id FROM res_partner
                 WHERE active AND (email_normalized = %(email)s OR phone_sanitized = %(phone)s)
                 ORDER BY email_normalized = %(email)s IS NOT TRUE, complete_name, id DESC
                 LIMIT 1
                """,
                {"email": email, "phone": phone},
            )
            row = self.env.cr.fetchone()
            partner = Partner.browse(row and row[0])
        return partner or self._intake_new_partner(clean, country)

    @api.model
    def _intake_new_partner(self, clean, country, unverified=False):
        """A new contact with the name, e-mail, phone and address given at intake (tagged unverified for
        anonymous requests)."""
        vals = {
            "name": clean.get("contact_name") or clean.get("email") or clean.get("phone"),
            "email": clean.get("email"),
            "mobile": clean.get("phone"),
            "street": clean.get("street"),
            "city": clean.get("city"),
            "zip": clean.get("zip"),
            "country_id": country.id,
        }
        if unverified:
            # Staff see on the contact that its details are the visitor's word: it may duplicate a customer,
            # to be merged by hand once the customer has confirmed who they are.
            tag = self._xmlid_record("crm_support.partner_category_unverified")
            if tag:
                vals["category_id"] = [Command.link(tag.id)]
            vals["comment"] = Markup("<p>%s</p>") % self.env._(
                "Created by an anonymous service request: name, e-mail and phone as the visitor typed them, "
                "not verified."
            )
        # Creating a contact reads the current user's company (defaults) and the superuser's contact
        # (partner_share): read those columns of both users at once, or Odoo reads every column of each.
        self.env["res.users"].sudo().browse([self.env.uid, SUPERUSER_ID]).fetch(["company_id", "partner_id"])
        return self.env["res.partner"].sudo().create(vals)

    def _intake_attach(self, attachments):
        """Attach photos (list of (filename, bytes or base64, mimetype)) after size and type checks."""
        self.ensure_one()
        vals_list = [
            {"name": name[:100], "raw": raw, "res_model": self._name, "res_id": self.id, "mimetype": mimetype}
            for name, raw, mimetype in self._intake_check_attachments(attachments)
        ]
        return self.env["ir.attachment"].sudo().create(vals_list)

    @api.model
    def _intake_check_attachments(self, attachments):
        """The files as (filename, bytes, type read from their content), or a ValidationError naming the
        first one refused; the type the browser sent is ignored (it is whatever the sender says)."""
        if len(attachments) > MAX_ATTACHMENTS:
            raise ValidationError(self.env._("At most %s files.", MAX_ATTACHMENTS))
        checked = []
        for name, content, _sent_type in attachments:
            raw = content if isinstance(content, bytes) else base64.b64decode(content)
            if len(raw) > MAX_ATTACHMENT_BYTES:
                raise ValidationError(self.env._("%s is larger than 5 MB.", name))
            mimetype = guess_mimetype(raw)
            # Odoo's own sniffer (used when python-magic is missing) does not know HEIC, the phones' photos.
            if mimetype == "application/octet-stream" and raw[4:12] in HEIC_BRANDS:
                mimetype = "image/heic"
            if mimetype not in ATTACHMENT_TYPES:
                raise ValidationError(self.env._("%s: only photos and PDF files are accepted.", name))
            checked.append((name, raw, mimetype))
        return checked

    @api.model
    def _intake_rate_limited(self, ip, minutes=10):
        """True when this IP reached the public form's limit per 10 minutes: the system parameter
        crm_support.intake_rate_limit.<address> for that address (a kiosk, a trusted front end), else
        crm_support.intake_rate_limit (default 5); 0 means no limit."""
        params = self.env["ir.config_parameter"].sudo()
        limit = int(
            (ip and params.get_param(f"crm_support.intake_rate_limit.{ip}"))
            or params.get_param("crm_support.intake_rate_limit", 5)
        )
        if not ip or limit <= 0:
            return False
        since = fields.Datetime.now() - timedelta(minutes=minutes)
        return self.sudo().search_count([("intake_ip", "=", ip), ("request_date", ">=", since)], limit=limit) >= limit

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail to the support alias becomes a routed, acknowledged ticket."""
        values = dict(custom_values or {})
        email = email_normalize(msg_dict.get("email_from") or "")
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")) if msg_dict.get("author_id") else None
        if not partner and email:
            partner = self._intake_partner(
                {"email": email, "contact_name": msg_dict.get("email_from")}, self.env.company.country_id
            )
        values.update(
            {
                "name": "/",
                "subject": (msg_dict.get("subject") or self.env._("E-mail request"))[:MAX_SUBJECT],
                "description": msg_dict.get("body"),
                "email": email,
                "partner_id": partner.id if partner else False,
                "channel": "email",
            }
        )
        return super().message_new(msg_dict, custom_values=values)

    def _message_post_after_hook(self, message, msg_vals):
        """A customer's answer to a request waiting on them puts it back in progress: the SLA clock runs
        again and the request is back in the assignee's work, without anyone having to move it."""
        result = super()._message_post_after_hook(message, msg_vals)
        if self.stage_code == "waiting" and self._is_customer_message(message):
            # as OdooBot: the customer may be a visitor with the tracking link, logged in as the public user
            self.with_user(SUPERUSER_ID).stage_id = self._stage_by_code("in_progress")
        return result

    def _is_customer_message(self, message):
        """Whether message is the customer's (their contact or company, or their e-mail address): a comment
        or an e-mail, not a note or a notification."""
        self.ensure_one()
        if message.message_type not in ("comment", "email") or message.subtype_id.internal:
            return False
        if message.author_id and self.commercial_partner_id:
            return message.author_id.commercial_partner_id == self.commercial_partner_id
        # a request without a customer record: the address it came from
        email = email_normalize(self.email or "")
        return bool(email) and email_normalize(message.email_from or message.author_id.email or "") == email

    # ------------------------------------------------------------------ acknowledgement
    def _tracking_url(self):
        """Portal link with access token, for the customer."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url()

    def _send_acknowledgement(self, sms_vals=None):
        """Acknowledge: SMS when allowed, and the e-mail with reference and tracking link (at once, or
        right after commit when intake leaves it to the follow-up queue)."""
        self._send_acknowledgement_sms(sms_vals)
        if not self.env.context.get("crm_support_followup_later"):
            self._send_acknowledgement_email()

    def _send_acknowledgement_email(self):
        """The acknowledgement e-mail with reference and tracking link, queued for Odoo's mail queue.

        The template's subject and body are rendered for all the tickets at once (compiled once, each in
        the language the template sets), then one message is posted per ticket with the template's
        settings, as the mail composer posts it: a composer per ticket compiled and rendered each alone.
        """
        template = self._xmlid_record("crm_support.mail_template_ticket_ack")
        tickets = self.sudo().filtered(lambda t: t.partner_id and t.email)
        if not template or not tickets:
            return
        template = template.sudo()
        if template.attachment_ids or template.report_template_ids or template.scheduled_date:
            # A manager added files or a send date to the template: the composer handles those.
            for ticket in tickets.with_context(crm_support_notify_recipients_only=True):
                ticket.message_post_with_source(
                    template,
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=ticket.partner_id.ids,
                    message_type="comment",
                    force_send=False,
                )
            self._wake_mail_queue()
            return
        subjects = template._render_field("subject", tickets.ids, compute_lang=True)
        bodies = template._render_field("body_html", tickets.ids, compute_lang=True)
        senders = template._render_field("email_from", tickets.ids) if template.email_from else {}
        langs = template._render_field("lang", tickets.ids) if template.lang else {}
        for ticket in tickets.with_context(crm_support_notify_recipients_only=True):
            ticket.message_post(
                subject=subjects[ticket.id],
                body=bodies[ticket.id],
                email_from=senders.get(ticket.id) or None,
                partner_ids=ticket.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                email_add_signature=False,
                email_layout_xmlid=template.email_layout_xmlid,
                force_email_lang=langs.get(ticket.id) or False,
                mail_auto_delete=template.auto_delete,
                mail_server_id=template.mail_server_id.id,
                force_send=False,
            )
        self._wake_mail_queue()

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        """Only the partners the message names while the acknowledgement is posted."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        # Set by _send_acknowledgement_email around its own posting only (the composer it uses when the
        # template has files passes no notification argument through).
        if not self.env.context.get("crm_support_notify_recipients_only"):
            return recipients
        # The acknowledgement carries the customer's tracking link and access token: the assignee and any
        # other follower (subscribed by routing before it is posted) must not get a copy of it.
        pids = set(msg_vals.get("partner_ids", []) if msg_vals else message.sudo().partner_ids.ids)
        return [recipient for recipient in recipients if recipient["id"] in pids]

    def _send_acknowledgement_sms(self, sms_vals=None):
        """The acknowledgement SMS, queued, when consent and number allow it (lean intake: its values are
        added to sms_vals, created with the others)."""
        sms_template = self._xmlid_record("crm_support.sms_template_ticket_ack")
        if not sms_template:
            return
        queued = False
        for ticket in self.sudo():
            partner = ticket.partner_id
            number = partner and ticket._sms_number_allowed(partner, ticket.phone or partner.mobile)
            if number:
                body = sms_template.sudo()._render_field("body", ticket.ids)[ticket.id]
                ticket._queue_sms(body, number, partner, sms_vals)
                queued = True
        if queued and sms_vals is None:
            self._wake_sms_queue()

    @api.model
    def _xmlid_record(self, xmlid):
        """The record of an XML id, or None; unlike env.ref, no query to check that it exists (the XML id
        goes with its record when that is deleted, and its look-up is cached)."""
        model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(xmlid, raise_if_not_found=False)
        return self.env[model].browse(res_id) if res_id else None

    def _queue_sms(self, body, number, partner, sms_vals=None):
        """Queue an SMS for the gateway: at once as an sms.sms row; on the chatter too unless intake is lean.

        Lean intake passes sms_vals: the row's values are added to it and created with the others. The
        caller wakes the SMS queue once for its batch (_wake_sms_queue).
        """
        self.ensure_one()
        if self.env.context.get("crm_support_followup_later"):
            vals = {"number": number, "body": body, "partner_id": partner.id}
            if sms_vals is not None:
                sms_vals.append(vals)
                return vals
            return self.env["sms.sms"].sudo().create(vals)
        return self._message_sms(body, partner_ids=[], sms_numbers=[number], put_in_queue=True)

    def _sms_number_allowed(self, partner, number):
        """The E.164 mobile number to text for a service notice, or False (consent, mobile, blacklist)."""
        self.ensure_one()
        recipient = self._xmlid_record("crm_vrm.recipient_company")
        if not (number and partner and recipient and hasattr(partner, "_vrm_allows")):
            return False
        if not partner._vrm_allows(recipient, "service", "contact"):
            return False
        country = self.country_id or partner.country_id or self.env.company.country_id
        e164 = self._e164_mobile(number, country.code)
        if not e164:
            return False
        # The blacklist stores E.164 numbers: a plain look-up (its search would format the number again in
        # the current user's country, reading the user and partner for it).
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env.cr.execute("SELECT 1 FROM phone_blacklist WHERE number = %s AND active LIMIT 1", [e164])
        return False if self.env.cr.fetchone() else e164

    @api.model
    def _e164_mobile(self, number, country_code):
        """E.164 form of a valid mobile number (national numbers read in the country of this ISO code),
        else False."""
        if not number or not phonenumbers:
            return False
        try:
            parsed = phonenumbers.parse(number, country_code or None)
        except phonenumbers.NumberParseException:
            return False
        mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
        if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) not in mobile_types:
            return False
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def write(self, vals):
        if self.env.context.get("crm_support_sla_write"):
            return super().write(vals)
        old_pause = {}
        if "stage_id" in vals:
            stage = self.env["crm.support.stage"].browse(vals["stage_id"])
            vals.setdefault("closed_at", fields.Datetime.now() if stage.is_closed else False)
            old_pause = {ticket.id: ticket.stage_id.pause_sla for ticket in self}
        res = super().write(vals)
        if vals.get("first_response_at") or vals.get("closed_at"):
            self._compute_work_hours()
        rest = self
        if old_pause:
            toggled = self.filtered(lambda t: old_pause[t.id] != t.stage_id.pause_sla)
            for pause in (True, False):
                toggled.filtered(lambda t, p=pause: t.stage_id.pause_sla == p)._sla_toggle_pause(pause)
            rest -= toggled
        if {"priority", "category_id", "franchise_id", "stage_id"} & set(vals):
            rest._sla_apply()
        return res

    def _compute_work_hours(self):
        """Store response and resolution times in working hours, for the reports."""
        for ticket in self.sudo():
            calendar = ticket._sla_calendar()
            vals = {}
            if ticket.first_response_at and not ticket.response_work_hours:
                vals["response_work_hours"] = calendar.get_work_hours_count(
                    ticket.request_date, ticket.first_response_at, compute_leaves=True
                )
            if ticket.closed_at:
                hours = calendar.get_work_hours_count(ticket.request_date, ticket.closed_at, compute_leaves=True)
                vals["resolution_work_hours"] = max(hours - ticket.sla_paused_hours, 0.0)
            if vals:
                ticket.with_context(crm_support_sla_write=True).write(vals)

    # ------------------------------------------------------------------ SLA
    def _sla_calendar(self):
        self.ensure_one()
        return self.franchise_id.calendar_id or self.company_id.resource_calendar_id

    def _sla_apply(self):
        """Choose the policy and compute the deadlines in working hours, pauses included."""
        for ticket in self.sudo():
            ticket.with_context(crm_support_sla_write=True).write(ticket._sla_vals())
        self._sla_update_next_escalation()

    def _sla_vals(self, with_escalation=False):
        """Policy and deadlines of this ticket (a record or a draft not created yet) as values to store.

        The first matching policy of the ticket's company applies (policies read from a cache).
        with_escalation: also when the first escalation level is due, for a ticket that has none logged
        (a new one); others get it from _sla_update_next_escalation.
        """
        self.ensure_one()
        policy = self.env["crm.support.sla.policy"]._policy_for(
            self.company_id.id, self.priority, self.category_id.id, self.franchise_id.id
        )
        vals = {"sla_policy_id": policy[0] if policy else False}
        if policy and not self.sla_paused_since:
            paused = self.sla_paused_hours
            vals["sla_response_deadline"], vals["sla_resolution_deadline"] = self._sla_plan_hours(
                self._sla_calendar(),
                self.request_date,
                [policy[5] + paused, policy[6] + paused],
            )
        elif not policy:
            vals.update(sla_response_deadline=False, sla_resolution_deadline=False)
        if with_escalation:
            # the earliest level of the policy, counted from its deadline (resolution or first response)
            dues = [
                deadline + timedelta(minutes=offset)
                for deadline, offset in (
                    (vals.get("sla_resolution_deadline"), policy and policy[7]),
                    (not self.first_response_at and vals.get("sla_response_deadline"), policy and policy[8]),
                )
                if deadline and offset is not None and offset is not False
            ]
            due = bool(dues) and not self.is_closed and not self.sla_paused_since
            vals["next_escalation_at"] = min(dues) if due else False
        return vals

    @api.model
    def _sla_plan_hours(self, calendar, start, hours_list):
        """[calendar.plan_hours(hours, start, compute_leaves=True) for hours in hours_list], reading the
        working intervals once for all deadlines, from the calendar's cache of them
        (resource.calendar._crm_work_intervals)."""
        day_dt, revert = make_aware(start)
        todo = sorted((hours, pos) for pos, hours in enumerate(hours_list))
        results = [False] * len(hours_list)
        if todo and todo[0][0] < 0:
            return [calendar.plan_hours(hours, start, compute_leaves=True) for hours in hours_list]
        day = day_dt.astimezone(timezone.utc).date()
        for n in range(100):
            for work_start, stop in calendar._crm_work_intervals(day + timedelta(days=INTERVAL_WINDOW_DAYS * n)):
                if stop <= day_dt:
                    continue
                begin = max(work_start, day_dt)  # the fortnight is cached from midnight
                interval_hours = (stop - begin).total_seconds() / 3600
                # As plan_hours does: what is left of each duration is counted down interval by interval.
                while todo and todo[0][0] <= interval_hours:
                    hours, pos = todo.pop(0)
                    results[pos] = revert(begin + timedelta(hours=hours))
                if not todo:
                    return results
                todo = [(hours - interval_hours, pos) for hours, pos in todo]
        return results

    def _sla_toggle_pause(self, pause):
        """Stop the clock in 'Waiting customer'; on resume, push the deadlines by the working time paused."""
        now = fields.Datetime.now()
        for ticket in self.sudo():
            if pause and not ticket.sla_paused_since:
                ticket.with_context(crm_support_sla_write=True).write({"sla_paused_since": now})
            elif not pause and ticket.sla_paused_since:
                hours = ticket._sla_calendar().get_work_hours_count(ticket.sla_paused_since, now, compute_leaves=True)
                ticket.with_context(crm_support_sla_write=True).write(
                    {"sla_paused_since": False, "sla_paused_hours": ticket.sla_paused_hours + hours}
                )
        self._sla_apply()

    def _sla_update_next_escalation(self):
        """Store when the next escalation level is due (indexed column read by the cron), in one UPDATE.

        The next level is the earliest of the ticket's policy that has no log row yet; closed, paused or
        policy-less tickets have none.
        """
        if not self.ids:
            return
        self.flush_recordset(
            [
                "sla_policy_id",
                "sla_resolution_deadline",
                "sla_response_deadline",
                "first_response_at",
                "sla_paused_since",
                "is_closed",
            ]
        )
        self.env["crm.support.escalation.level"].flush_model(["policy_id", "offset_minutes", "trigger"])
        self.env["crm.support.escalation.log"].flush_model(["ticket_id", "level_id"])
        self.env.cr.execute(
            """
            UPDATE crm_support_ticket t
               SET next_escalation_at = due.at
              FROM (
                    SELECT s.id,
                           CASE WHEN COALESCE(s.is_closed, FALSE) OR s.sla_paused_since IS NOT NULL THEN NULL
                                ELSE (SELECT min((CASE WHEN l.trigger = 'response'
                                                       THEN (CASE WHEN s.first_response_at IS NULL
                                                                  THEN s.sla_response_deadline END)
                                                       ELSE s.sla_resolution_deadline END)
                                                 + l.offset_minutes * interval '1 minute')
                                        FROM crm_support_escalation_level l
                                       WHERE l.policy_id = s.sla_policy_id
                                         AND NOT EXISTS (SELECT 1 FROM crm_support_escalation_log g
                                                          WHERE g.ticket_id = s.id AND g.level_id = l.id))
                           END AS at
                      FROM crm_support_ticket s
                     WHERE s.id = ANY(%s)
                   ) due
             WHERE t.id = due.id AND t.next_escalation_at IS DISTINCT FROM due.at
            """,
            [list(self.ids)],
        )
        self.invalidate_recordset(["next_escalation_at"])

    @api.model
    def _cron_escalate(self, batch_size=1000):
        """Fire due escalation levels, set-based on the indexed column, each level once per ticket."""
        now = fields.Datetime.now()

        def escalate(tickets):
            pairs = tickets._escalation_claim(now)
            self._escalate_batch(pairs)
            tickets._sla_update_next_escalation()
            return len(pairs)

        return self._cron_batches(SQL("next_escalation_at <= %s", now), SQL("next_escalation_at"), batch_size, escalate)

    @api.model
    def _cron_batches(self, where, order, batch_size, process):
        """Run process(tickets) on the tickets matching where, in bounded batches; return the sum of what
        it returns. The crons of this model share it.

        Each batch is locked with SKIP LOCKED (a second server running the same cron takes other tickets
        instead of waiting), reported with _notify_progress and committed, except in tests.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        self.flush_model()
        self.env.cr.execute(SQL("SELECT count(*) FROM crm_support_ticket WHERE %s", where))
        total = self.env.cr.fetchone()[0]
        result = done = 0
        while total:
            self.flush_model()
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM crm_support_ticket WHERE %s ORDER BY %s, id LIMIT %s FOR UPDATE SKIP LOCKED",
                    where,
                    order,
                    batch_size,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if not ids:
                break
            result += process(self.browse(ids).sudo()) or 0
            done += len(ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=max(total - done, 0))
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if len(ids) < batch_size:
                break
            self.env.invalidate_all()
        return result

    def _escalation_claim(self, now):
        """Log the levels due on these tickets in one INSERT; return the (ticket, level) pairs this run logged.

        The unique (ticket, level) constraint is the exactly-once guarantee: a row another server inserted
        first is left out of RETURNING (ON CONFLICT DO NOTHING), so each level alerts once.
        """
        if not self.ids:
            return []
        self.flush_recordset(
            [
                "sla_policy_id",
                "sla_resolution_deadline",
                "sla_response_deadline",
                "first_response_at",
                "sla_paused_since",
                "is_closed",
            ]
        )
        self.env["crm.support.escalation.level"].flush_model(["policy_id", "offset_minutes", "trigger"])
        Log = self.env["crm.support.escalation.log"]
        Log.flush_model()
        self.env.cr.execute(
            """
            INSERT INTO crm_support_escalation_log
                   (ticket_id, level_id, date, create_uid, create_date, write_uid, write_date)
            SELECT t.id, l.id, %(now)s, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM crm_support_ticket t
              JOIN crm_support_escalation_level l ON l.policy_id = t.sla_policy_id
             WHERE t.id = ANY(%(ids)s)
               AND NOT COALESCE(t.is_closed, FALSE) AND t.sla_paused_since IS NULL
               AND (CASE WHEN l.trigger = 'response'
                         THEN (CASE WHEN t.first_response_at IS NULL THEN t.sla_response_deadline END)
                         ELSE t.sla_resolution_deadline END) + l.offset_minutes * interval '1 minute' <= %(now)s
             ORDER BY t.id, l.offset_minutes, l.id
            ON CONFLICT (ticket_id, level_id) DO NOTHING
            RETURNING id, ticket_id, level_id
            """,
            {"now": now, "uid": self.env.uid, "ids": list(self.ids)},
        )
        rows = self.env.cr.fetchall()
        Log.invalidate_model()
        self.invalidate_recordset(["escalation_log_ids"])
        if not rows:
            return []
        # Records taken from whole recordsets share their prefetch: one read per field for the batch.
        levels = {
            level.id: level
            for level in self.env["crm.support.escalation.level"].sudo().browse(sorted({row[2] for row in rows}))
        }
        tickets = {ticket.id: ticket for ticket in self.browse(sorted({row[1] for row in rows}))}
        rows.sort(key=lambda row: (row[1], levels[row[2]].offset_minutes, row[2]))
        pairs = [(tickets[ticket_id], levels[level_id]) for __, ticket_id, level_id in rows]
        recipients = self._escalation_recipients_map(pairs)
        self.env.cr.execute(
            """
            UPDATE crm_support_escalation_log g SET recipients = x.names
              FROM unnest(%s::int[], %s::varchar[]) AS x(id, names)
             WHERE g.id = x.id
            """,
            [
                [row[0] for row in rows],
                [", ".join(recipients[ticket.id, level.id].mapped("name")) for ticket, level in pairs],
            ],
        )
        return pairs

    @api.model
    def _escalation_recipients_map(self, pairs):
        """{(ticket id, level id): users to alert} for (ticket, level) pairs, with one look-up per franchise."""
        triage = None
        by_franchise = {}
        result = {}
        for ticket, level in pairs:
            if level.notify == "assignee":
                users = ticket.user_id
            elif level.notify == "manager":
                franchise = ticket.franchise_id
                if franchise.id not in by_franchise:
                    by_franchise[franchise.id] = franchise.manager_ids
                users = by_franchise[franchise.id]
            else:
                if triage is None:
                    triage = self.env.ref("crm_support.group_support_triage").sudo().users
                users = triage
            result[ticket.id, level.id] = users
        return result

    def _escalation_recipients(self, level):
        """Users alerted by this escalation level on this ticket."""
        self.ensure_one()
        return self._escalation_recipients_map([(self, level)])[self.id, level.id]

    def _escalate(self, level):
        """Fire one level on these tickets (already claimed in the escalation log)."""
        self._escalate_batch([(ticket, level) for ticket in self])

    @api.model
    def _escalate_batch(self, pairs):
        """Alert by SMS and e-mail and note it on the chatter, in batches: one create per kind of record."""
        if not pairs:
            return
        tickets = self.browse([ticket.id for ticket, __ in pairs]).sudo()
        # One read of what the texts need, for the whole batch.
        tickets.fetch(
            [
                "name",
                "subject",
                "sla_resolution_deadline",
                "sla_response_deadline",
                "user_id",
                "franchise_id",
                "company_id",
            ]
        )
        recipients = self._escalation_recipients_map(pairs)
        base_url = self.browse().get_base_url()
        author_id, email_from = self._message_compute_author(
            self.env.ref("base.partner_root").id, None, raise_on_email=False
        )
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
        # Translated once per batch, filled in per ticket.
        templates = {
            "resolution": self.env._("Escalation '%(level)s' on %(ref)s (%(subject)s): resolution due %(due)s."),
            "response": self.env._("Escalation '%(level)s' on %(ref)s (%(subject)s): first response due %(due)s."),
        }
        open_label = self.env._("Open")
        mobiles = {}
        notes, sms_vals, mail_vals = {}, [], []
        for ticket, level in pairs:
            users = recipients[ticket.id, level.id]
            response = level.trigger == "response"
            text = templates[level.trigger] % {
                "level": level.name,
                "ref": ticket.name,
                "subject": ticket.subject,
                "due": fields.Datetime.to_string(
                    ticket.sla_response_deadline if response else ticket.sla_resolution_deadline
                ),
            }
            link = f"{base_url}/sr/{ticket.id}"
            notes.setdefault(level, {})[ticket.id] = text
            if level.by_sms:
                for user in users:
                    if user.id not in mobiles:
                        mobiles[user.id] = ticket._staff_mobile(user)
                    if mobiles[user.id]:
                        sms_vals.append(
                            {"number": mobiles[user.id], "body": f"{text} {link}", "partner_id": user.partner_id.id}
                        )
            if level.by_email and users:
                partner_ids = users.partner_id.ids
                mail_vals.append(
                    {
                        "model": self._name,
                        "res_id": ticket.id,
                        "message_type": "user_notification",
                        "subject": text,
                        "body_html": Markup("<p>%s</p><p><a href='%s'>%s</a></p>") % (text, link, open_label),
                        "author_id": author_id,
                        "email_from": email_from,
                        "reply_to": reply_to,
                        "partner_ids": [Command.set(partner_ids)],
                        "recipient_ids": [Command.set(partner_ids)],
                        "is_notification": True,
                        "auto_delete": True,
                    }
                )
        self._escalation_log_notes(
            [(ticket_id, text) for bodies in notes.values() for ticket_id, text in bodies.items()],
            author_id,
            email_from,
            reply_to,
        )
        if sms_vals:
            self.env["sms.sms"].sudo().create(sms_vals)
            self._wake_sms_queue()
        if mail_vals:
            self.env["mail.mail"].sudo().create(mail_vals)
            self._wake_mail_queue()
        for level, bodies in notes.items():
            self.browse(list(bodies))._on_escalated(level)

    @api.model
    def _escalation_log_notes(self, notes, author_id, email_from, reply_to):
        """Log chatter notes [(ticket id, plain text)] with one INSERT, as _message_log_batch would create them.

        Measured on 10,000 notes: the ORM create of mail.message (HTML sanitising twice per body, defaults,
        inverse caches) took most of the sweep; these bodies are our own escaped text, so one INSERT writes
        the same rows (internal note, mail.mt_note, no notification) in a fraction of the time.
        """
        if not notes:
            return
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            """
            INSERT INTO mail_message
                   (model, res_id, body, message_type, subtype_id, author_id, email_from, reply_to, message_id,
                    is_internal, email_add_signature, date, create_uid, create_date, write_uid, write_date)
            SELECT %(model)s, x.res_id, x.body, 'notification', %(subtype)s, %(author)s, %(email_from)s,
                   %(reply_to)s, x.message_id, TRUE, FALSE, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(res_ids)s::int[], %(bodies)s::text[], %(message_ids)s::varchar[])
                   AS x(res_id, body, message_id)
            """,
            {
                "model": self._name,
                "subtype": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                "author": author_id or None,
                "email_from": email_from or None,
                "reply_to": reply_to or None,
                "now": fields.Datetime.now(),
                "uid": self.env.uid,
                "res_ids": [ticket_id for ticket_id, __ in notes],
                "bodies": [str(Markup("<p>%s</p>") % text) for __, text in notes],
                "message_ids": [generate_tracking_message_id("message-notify") for __ in notes],
            },
        )
        self.env["mail.message"].invalidate_model()
        self.invalidate_model(["message_ids"])

    # ------------------------------------------------------------------ routing
    def _compute_routing(self, rules=None, now=None):
        """Decide franchise and ranked people for this ticket without changing it."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        log = []
        prechecked = rules is None
        if prechecked:
            rules = self._routing_candidate_rules(log)
        for rule in rules:
            matched, why = rule._matches(self, now=now, prechecked=prechecked)
            if not matched:
                log.append(self.env._("Rule '%(rule)s' skipped: %(why)s", rule=rule.name, why=why))
                continue
            if rule.target == "triage":
                return self._routing_result(rule, None, [], self.env._("Rule '%s' sends to triage.", rule.name), log)
            if rule.target == "franchise":
                franchises = rule.franchise_id.filtered("active")
            else:
                franchises = self.env["crm.franchise"]._find_for_location(
                    self.country_id, self.state_id, self.zip, self.category_id, rule.area_tie_break
                )
            if not franchises:
                log.append(self.env._("Rule '%s' matched but no franchise covers the postcode.", rule.name))
                continue
            franchise = franchises[0]
            ranked = franchise._rank_candidates(self, rule, now)
            log += [line for __, line in ranked["log"]]
            if not ranked["users"]:
                return self._routing_result(
                    rule,
                    franchise,
                    ranked["users"],
                    self.env._(
                        "Rule '%(rule)s' chose %(franchise)s but nobody there is available.",
                        rule=rule.name,
                        franchise=franchise.name,
                    ),
                    log,
                )
            return self._routing_result(
                rule,
                franchise,
                ranked["users"],
                self.env._(
                    "Rule '%(rule)s' chose %(franchise)s, %(user)s (%(why)s).",
                    rule=rule.name,
                    franchise=franchise.name,
                    user=ranked["first_name"],
                    why=ranked["why"],
                ),
                log,
            )
        return self._routing_result(None, None, [], self.env._("No routing rule matched."), log)

    def _routing_candidate_rules(self, log):
        """Rules that pass the cheap conditions, in order; skipped ones are explained in log."""
        Rule = self.env["crm.support.routing.rule"].sudo()
        # Cheap conditions on cached tuples first: thousands of rules cost microseconds each.
        values = (
            self.category_id.id,
            (self.product_name or "").lower(),
            self.country_id.id,
            self.state_id.id,
            normalize_zip(self.zip),
            self.priority or "0",
            self.channel,
        )
        compiled, by_category, wildcard = Rule._compiled_rules(self.company_id.id)
        positions = by_category.get(self.category_id.id, wildcard)
        if len(positions) < len(compiled):
            log.append(self.env._("%s rules for other categories skipped.", len(compiled) - len(positions)))
        ids, skipped = [], 0
        for pos in positions:
            rule = compiled[pos]
            reason = Rule._precheck(rule, values)
            if reason is None:
                ids.append(rule[0])
                continue
            skipped += 1
            if skipped <= 5:
                log.append(self.env._("Rule '%(rule)s' skipped: %(why)s", rule=rule[1], why=reason))
        if skipped > 5:
            log.append(self.env._("%s more rules skipped.", skipped - 5))
        return Rule.browse(ids)

    def _routing_result(self, rule, franchise, users, reason, log):
        return {
            "rule": rule or self.env["crm.support.routing.rule"],
            "franchise": franchise or self.env["crm.franchise"],
            "users": users or self.env["res.users"],
            "reason": reason,
            "log": log,
        }

    def _routing_vals(self, now):
        """The routing decision for this ticket (a record or a draft not created yet) as values to store:
        the first candidate assigned, the others queued, or triage."""
        self.ensure_one()
        decision = self._compute_routing(now=now)
        users = decision["users"]
        rule = decision["rule"]
        vals = {
            "routing_rule_id": rule.id,
            "routing_strategy": rule and dict(rule._fields["strategy"].selection)[rule.strategy],
            "routing_reason": decision["reason"],
            "routing_candidates": "\n".join(decision["log"]),
            "routed_at": now,
            "franchise_id": decision["franchise"].id,
            "accepted_at": False,
        }
        if users:
            vals.update(
                user_id=users[0].id,
                is_triage=False,
                stage_id=self._stage_by_code("assigned").id,
                routing_queue=json.dumps(users[1:].ids),
                accept_deadline=now + timedelta(minutes=rule.accept_minutes or 15),
            )
        else:
            vals.update(
                user_id=False,
                is_triage=True,
                stage_id=self._stage_by_code("new").id,
                routing_queue="[]",
                accept_deadline=False,
            )
        return vals

    def _route(self):
        """Route each ticket: store the decision, assign the first candidate or send to triage."""
        now = fields.Datetime.now()
        to_triage = self.browse()
        routed = self.browse()
        for ticket in self:
            vals = ticket._routing_vals(now)
            if vals["user_id"]:
                routed |= ticket
            else:
                to_triage |= ticket
            # Deadlines are computed once below (or by create), not on each write.
            ticket.sudo().with_context(crm_support_sla_write=True).write(vals)
            if not self.env.context.get("crm_support_followup_later"):
                # A plain log note (nobody is notified of the routing itself); lean intake leaves it to the
                # follow-up queue.
                ticket.sudo()._message_log(body=self.env._("Routing: %s", vals["routing_reason"]))
        if self.env.context.get("crm_support_followup_later"):
            # The SMS goes now; the notifications follow right after commit (_cron_intake_followup).
            routed._notify_assignee_sms()
        else:
            if to_triage:
                to_triage._alert_triage()
            if routed:
                routed._notify_assignee()
        if not self.env.context.get("crm_support_creating"):
            self._sla_apply()
        self._on_routed()
        return True

    def action_reroute(self):
        """Repeat the routing decision with the current rules, staff and availability."""
        self._check_support_manager()
        self._route()
        return True

    def _stage_by_code(self, code):
        Stage = self.env["crm.support.stage"].sudo()
        return Stage.browse(Stage._id_by_code(code))

    def _alert_triage(self):
        """Tell the head-office triage team about tickets nobody could take."""
        team = self.env.ref("crm_support.group_support_triage").sudo().users
        if not team or not self:
            return
        for ticket in self.sudo():
            ticket.message_notify(
                partner_ids=team.partner_id.ids,
                subject=self.env._("%s needs triage", ticket.name),
                body=self.env._("%(ref)s could not be routed: %(why)s", ref=ticket.name, why=ticket.routing_reason),
                force_send=False,
            )
        self._wake_mail_queue()

    def _deep_link(self):
        """Short link to the ticket's mobile page for franchise staff."""
        self.ensure_one()
        return f"{self.get_base_url()}/sr/{self.id}"

    def _notify_assignee(self):
        """Push the ticket to the assigned person at once: SMS to their mobile and a notification."""
        self._notify_assignee_sms()
        self._notify_assignee_message()

    def _notify_assignee_sms(self, sms_vals=None):
        """SMS with the deep link to the assigned person's mobile, queued for the gateway (lean intake:
        its values are added to sms_vals, created with the others)."""
        sms_template = self._xmlid_record("crm_support.sms_template_ticket_push")
        if not sms_template:
            return
        queued = False
        for ticket in self.sudo().filtered("user_id"):
            number, partner_id = ticket._staff_contact(ticket.user_id)
            if number:
                body = sms_template.sudo()._render_field("body", ticket.ids)[ticket.id]
                ticket._queue_sms(body, number, self.env["res.partner"].browse(partner_id), sms_vals)
                queued = True
        if queued and sms_vals is None:
            # Re-route, decline and backend routing queue the SMS here: it leaves right after commit.
            self._wake_sms_queue()

    def _notify_assignee_message(self):
        """Odoo notification (inbox or e-mail, as the person chose) with the deep link; e-mails queued."""
        assigned = self.sudo().filtered("user_id")
        for ticket in assigned:
            link = ticket._deep_link()
            ticket.message_notify(
                partner_ids=ticket.user_id.partner_id.ids,
                subject=self.env._("New service request %s", ticket.name),
                body=Markup("%s <a href='%s'>%s</a>")
                % (
                    self.env._(
                        "%(ref)s has been assigned to you: %(subject)s.", ref=ticket.name, subject=ticket.subject
                    ),
                    link,
                    self.env._("Open"),
                ),
                force_send=False,
            )
        if assigned:
            self._wake_mail_queue()

    def _wake_mail_queue(self):
        """Odoo's mail queue sends what was queued right after commit, in a batch over one SMTP connection,
        instead of a new cursor and connection per e-mail inside this transaction (force_send)."""
        self.env["ir.cron"]._crm_wake("mail.ir_cron_mail_scheduler_action")

    def _wake_sms_queue(self):
        """Odoo's SMS queue sends what was queued right after commit: the person on duty is texted in
        seconds, not when the hourly SMS job next runs."""
        self.env["ir.cron"]._crm_wake("sms.ir_cron_sms_scheduler_action")

    def _staff_mobile(self, user):
        """E.164 mobile of a staff member, or False when there is no valid mobile."""
        return self._staff_contact(user)[0]

    def _staff_contact(self, user):
        """(E.164 mobile or False, partner id) of a staff member."""
        # One query for the number and the code of the country to read it in (the person's, their
        # franchise's, the company's).
        self.env["res.users"].flush_model(["partner_id", "franchise_id"])
        self.env["res.partner"].flush_model(["mobile", "phone", "country_id"])
        self.env["crm.franchise"].flush_model(["partner_id"])
        self.env["res.company"].flush_model(["partner_id"])
        self.env["res.country"].flush_model(["code"])
        self.env.cr.execute(
            """
            SELECT COALESCE(NULLIF(p.mobile, ''), p.phone), country.code, p.id
              FROM res_users u
              JOIN res_partner p ON p.id = u.partner_id
              LEFT JOIN crm_franchise f ON f.id = u.franchise_id
              LEFT JOIN res_partner fp ON fp.id = f.partner_id
              LEFT JOIN res_company c ON c.id = %s
              LEFT JOIN res_partner cp ON cp.id = c.partner_id
              LEFT JOIN res_country country ON country.id = COALESCE(p.country_id, fp.country_id, cp.country_id)
             WHERE u.id = %s
            """,
            [self.env.company.id, user.id],
        )
        number, country_code, partner_id = self.env.cr.fetchone() or (False, False, False)
        if not number:
            return False, partner_id
        return self._e164_mobile(number, country_code), partner_id

    # ------------------------------------------------------------------ actions (portal and API)
    def _check_support_manager(self):
        if not (self.env.is_superuser() or self.env.user.has_group("crm_support.group_support_user")):
            raise AccessError(self.env._("Only support users can do this."))

    def _check_can_act(self):
        """Raise unless the caller is the assignee, their franchise manager or a support user."""
        user = self.env.user
        if self.env.is_superuser() or user.has_group("crm_support.group_support_user"):
            return
        is_manager = user.has_group("crm_support.group_franchise_manager")
        for ticket in self.sudo():
            if ticket.user_id == user:
                continue
            if is_manager and user.franchise_id and ticket.franchise_id == user.franchise_id:
                continue
            raise AccessError(self.env._("You cannot act on %s.", ticket.name))

    def action_accept(self):
        """The assignee accepts the ticket: work starts and the first response is recorded."""
        self._check_can_act()
        now = fields.Datetime.now()
        for ticket in self.sudo():
            if ticket.stage_code != "assigned":
                raise UserError(self.env._("%s is not waiting for acceptance.", ticket.name))
            ticket.write(
                {
                    "stage_id": self._stage_by_code("in_progress").id,
                    "accepted_at": now,
                    "accept_deadline": False,
                    "first_response_at": ticket.first_response_at or now,
                }
            )
        return True

    def action_decline(self, reason=None):
        """The assignee declines: the next candidate gets the ticket, or triage."""
        self._check_can_act()
        for ticket in self.sudo():
            if ticket.stage_code != "assigned":
                raise UserError(self.env._("%s can only be declined before it is accepted.", ticket.name))
            ticket.message_post(
                body=self.env._("%(user)s declined: %(reason)s", user=self.env.user.name, reason=reason or "-"),
                subtype_xmlid="mail.mt_note",
            )
            ticket._assign_next()
        return True

    def _assign_next(self):
        """Give the ticket to the next candidate in the stored queue, or send it to triage."""
        now = fields.Datetime.now()
        for ticket in self.sudo():
            queue = json.loads(ticket.routing_queue or "[]")
            users = self.env["res.users"].browse(queue).exists().filtered("active")
            if users:
                ticket.write(
                    {
                        "user_id": users[0].id,
                        "routing_queue": json.dumps(users[1:].ids),
                        "accept_deadline": now + timedelta(minutes=ticket.routing_rule_id.accept_minutes or 15),
                    }
                )
                ticket._notify_assignee()
            else:
                ticket.write(
                    {
                        "user_id": False,
                        "is_triage": True,
                        "stage_id": self._stage_by_code("new").id,
                        "accept_deadline": False,
                        "routing_reason": self.env._("No candidate left: sent to triage."),
                    }
                )
                ticket._alert_triage()
        return True

    def action_set_stage(self, stage_code):
        """Move the ticket to the stage with this code (in_progress, waiting, done, cancelled)."""
        self._check_can_act()
        if stage_code not in dict(STAGE_CODES) or stage_code in ("new", "assigned"):
            raise UserError(self.env._("Unknown stage: %s", stage_code))
        stage = self._stage_by_code(stage_code)
        for ticket in self.sudo():
            if ticket.is_closed:
                raise UserError(self.env._("%s is already closed.", ticket.name))
            if ticket.stage_code == "assigned" and stage_code != "cancelled":
                ticket.action_accept()
            ticket.stage_id = stage
        return True

    def action_close(self, resolution):
        """Close the ticket as done with a resolution shown to the customer."""
        self._check_can_act()
        if not (resolution or "").strip():
            raise UserError(self.env._("Write the resolution before closing."))
        for ticket in self.sudo():
            if ticket.stage_code == "assigned":
                ticket.action_accept()
            ticket.write({"resolution": resolution, "stage_id": self._stage_by_code("done").id})
            ticket.message_post(
                body=self.env._("Closed: %s", resolution),
                subtype_xmlid="mail.mt_comment",
                partner_ids=ticket.partner_id.ids,
            )
        return True

    def _post_customer_message(self, body):
        """Post a message to the customer on the ticket thread as the acting franchise user."""
        self._check_can_act()
        self.ensure_one()
        ticket = self.sudo()
        message = ticket.with_context(mail_create_nosubscribe=True).message_post(
            body=body,
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=ticket.partner_id.ids,
        )
        if not ticket.first_response_at:
            ticket.first_response_at = fields.Datetime.now()
        return message

    def _customer_view(self, user=None):
        """The customer's details as this user may see them for the service (masked as crm_vrm says)."""
        self.ensure_one()
        user = user or self.env.user
        ticket = self.sudo()
        fnames = ["name", "email", "phone", "mobile", "street", "zip", "city"]
        if not ticket.partner_id:
            return dict.fromkeys(fnames, False)
        if user._vrm_is_privacy_officer():
            (row,) = ticket.partner_id.read(fnames, load=None)
            return row
        recipient = user._vrm_recipient()
        (row,) = ticket.partner_id._vrm_read_for(recipient, "service", fnames, reference=ticket.name)
        return row

    def _post_internal_note(self, body):
        """Internal note by the acting franchise user, not sent to the customer."""
        self._check_can_act()
        self.ensure_one()
        return self.sudo().message_post(
            body=body, author_id=self.env.user.partner_id.id, message_type="comment", subtype_xmlid="mail.mt_note"
        )

    def _add_photos(self, files):
        """Attach photos taken on site (list of (filename, bytes, mimetype)) to the ticket thread."""
        self._check_can_act()
        self.ensure_one()
        attachments = self.sudo()._intake_attach(files)
        if attachments:
            self.sudo().message_post(
                body=self.env._("Photos added by %s", self.env.user.name),
                attachment_ids=attachments.ids,
                subtype_xmlid="mail.mt_note",
            )
        return attachments

    def _rate(self, rating, comment=None):
        """The customer's 1-5 rating with a comment, once the request is done."""
        self.ensure_one()
        try:
            value = int(rating)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise UserError(self.env._("Choose a rating from 1 to 5."))
        if self.stage_code != "done":
            raise UserError(self.env._("You can rate a request once it is done."))
        self.sudo().write({"rating_value": value, "rating_comment": (comment or "").strip()[:2000]})
        return True

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_acceptance_timeout(self):
        """Tickets not accepted in time go to the next candidate; the franchise manager is alerted."""
        tickets = self.search(
            [("stage_code", "=", "assigned"), ("accept_deadline", "<=", fields.Datetime.now())],
            limit=500,
        )
        for ticket in tickets:
            previous = ticket.user_id
            ticket.message_post(
                body=self.env._("%s did not accept in time.", previous.name), subtype_xmlid="mail.mt_note"
            )
            ticket._assign_next()
            managers = ticket.franchise_id.manager_ids
            if managers:
                ticket.message_notify(
                    partner_ids=managers.partner_id.ids,
                    subject=self.env._("%s was not accepted in time", ticket.name),
                    body=self.env._(
                        "%(user)s did not accept %(ref)s; it now goes to %(next)s.",
                        user=previous.name,
                        ref=ticket.name,
                        next=ticket.user_id.name or self.env._("triage"),
                    ),
                )
        return len(tickets)

    def _followup_enqueue(self):
        """Wake the follow-up queue at once for these tickets (created with followup_pending_since set)."""
        self.env["ir.cron"]._crm_wake("crm_support.ir_cron_intake_followup")

    @api.model
    def _cron_intake_followup(self, batch_size=200):
        """Right after intake: subscribe and notify the assignee (or alert triage), e-mail the acknowledgement.

        Each ticket is taken once: its row is locked (SKIP LOCKED for a second server) and the flag is
        cleared in the same transaction as the messages it produces.
        """

        def follow_up(tickets):
            tickets.with_context(crm_support_sla_write=True).write({"followup_pending_since": False})
            # The routing note lean intake left (the decision itself is stored on the ticket).
            routed = tickets.filtered("routed_at")
            if routed:
                routed._message_log_batch(bodies={t.id: self.env._("Routing: %s", t.routing_reason) for t in routed})
            for ticket in tickets.filtered("user_id"):
                ticket.message_subscribe(partner_ids=ticket.user_id.partner_id.ids)
            tickets.filtered("user_id")._notify_assignee_message()
            tickets.filtered("is_triage")._alert_triage()
            tickets._send_acknowledgement_email()
            return len(tickets)

        return self._cron_batches(
            SQL("followup_pending_since IS NOT NULL"), SQL("followup_pending_since"), batch_size, follow_up
        )

    # ------------------------------------------------------------------ hooks for crm_api
    def _on_tickets_created(self):
        """Hook called once on the tickets created (crm_api sends webhooks)."""

    def _on_routed(self):
        """Hook called once after routing the tickets."""

    def _on_escalated(self, level):
        """Hook called after an escalation level fired on these tickets."""
