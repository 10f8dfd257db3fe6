# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64
import csv
import io
import json
import zipfile
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

REQUEST_TYPES = [
    ("export", "Export of my data"),
    ("rectification", "Correction of my contact details"),
    ("erasure", "Erasure of my data"),
    ("objection", "Objection to profiling"),
]
RECTIFIABLE = ["email", "phone", "mobile", "street", "street2", "zip", "city"]
DEADLINE_DAYS = 30


def _flatten(prefix, value, rows):
    """Rows (path, value) of a nested export, for the CSV files."""
    if isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, sub, rows)
    else:
        rows.append((prefix, _cell(value)))


def _cell(value):
    """One CSV cell: empty for nothing, JSON for a structure (a signed receipt, a list of names)."""
    if value is None or value is False:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return value


def _csv_tables(name, value, tables):
    """{file name: (columns, rows)} of one export section: a list of records is a table, its
    lists of records (a card's statement, a ticket's messages) tables of their own whose rows
    name their parent row; a single record is field/value rows."""
    if not isinstance(value, list):
        rows = []
        _flatten("", value, rows)
        tables[name] = (["field", "value"], rows)
        return
    records = [row if isinstance(row, dict) else {"value": row} for row in value]
    children = []
    for record in records:
        for key, sub in record.items():
            if isinstance(sub, list) and sub and all(isinstance(item, dict) for item in sub) and key not in children:
                children.append(key)
    columns = []
    for record in records:
        columns += [key for key in record if key not in children and key not in columns]
    tables[name] = (columns, [[_cell(record.get(c)) for c in columns] for record in records])
    for key in children:
        parent_column = f"{name}_row"
        rows = [
            {parent_column: index, **item} for index, record in enumerate(records, 1) for item in record.get(key) or []
        ]
        _csv_tables(f"{name}.{key}", rows, tables)


class VrmRightsRequest(models.Model):
    """A customer's request under GDPR articles 15-21, answered within 30 days."""

    _name = "vrm.rights.request"
    _description = "Data Subject Rights Request"
    _inherit = ["mail.thread"]
    _order = "request_date desc, id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    request_type = fields.Selection(selection=REQUEST_TYPES, required=True, readonly=True)
    state = fields.Selection(
        selection=[
            ("new", "Received"),
            ("to_approve", "Waiting for the privacy officer"),
            ("done", "Done"),
            ("rejected", "Rejected"),
        ],
        default="new",
        required=True,
        tracking=True,
        readonly=True,
    )
    request_date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    deadline_date = fields.Date(compute="_compute_deadline_date", store=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue")
    done_date = fields.Datetime(readonly=True)
    rectification_json = fields.Text(readonly=True, help="The corrected values asked for (JSON).")
    reject_reason = fields.Text()
    approved_by_id = fields.Many2one(comodel_name="res.users", readonly=True)
    attachment_ids = fields.Many2many(comodel_name="ir.attachment", string="Export files", readonly=True, copy=False)

    @api.depends("request_date")
    def _compute_deadline_date(self):
        for request in self:
            request.deadline_date = (request.request_date + timedelta(days=DEADLINE_DAYS)).date()

    @api.depends("deadline_date", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = request.state in ("new", "to_approve") and bool(
                request.deadline_date and request.deadline_date < today
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Number the requests."""
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("vrm.rights.request")
        return super().create(vals_list)

    # actions -----------------------------------------------------------------------------------

    @api.model
    def _vrm_submit(self, partner, request_type, values=None):
        """Record a request of partner and carry out what needs no approval at once."""
        if request_type not in dict(REQUEST_TYPES):
            raise UserError(self.env._("Unknown kind of request."))
        if request_type == "erasure" and self.sudo().search_count(
            [
                ("partner_id", "=", partner.id),
                ("request_type", "=", "erasure"),
                ("state", "=", "to_approve"),
            ]
        ):
            raise UserError(self.env._("Your erasure request is already waiting for approval."))
        vals = {"partner_id": partner.id, "request_type": request_type}
        if request_type == "rectification":
            changes = {k: (v or "").strip() for k, v in (values or {}).items() if k in RECTIFIABLE}
            changes = {k: v for k, v in changes.items() if v != (partner[k] or "")}
            if not changes:
                raise UserError(self.env._("Nothing to correct: the values are the same."))
            vals["rectification_json"] = json.dumps(changes)
        request = self.sudo().create(vals)
        if request_type == "erasure":
            request.state = "to_approve"
        else:
            request._vrm_process()
        return request

    def _vrm_process(self):
        """Carry out the request."""
        for request in self:
            partner = request.partner_id.sudo()
            if request.request_type == "export":
                request._vrm_make_export()
            elif request.request_type == "rectification":
                partner.write(json.loads(request.rectification_json or "{}"))
            elif request.request_type == "objection":
                request._vrm_object_to_profiling()
            elif request.request_type == "erasure":
                # the export files hold the very data to erase
                request.attachment_ids.unlink()
                others = self.sudo().search([("partner_id", "=", partner.id), ("id", "!=", request.id)])
                others.attachment_ids.unlink()
                others.rectification_json = False
                request.rectification_json = False
                partner._vrm_anonymize()
            request.write({"state": "done", "done_date": fields.Datetime.now()})

    def _vrm_object_to_profiling(self):
        """Deny profiling of every category to the company, to every recipient type and to
        every recipient the customer had allowed it to."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        allowed_prefs = (
            self.env["vrm.preference"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("purpose_id.code", "=", "profiling"),
                    ("recipient_id", "!=", False),
                    ("allowed", "=", True),
                ]
            )
        )
        company = self.env.ref("crm_vrm.recipient_company")
        for category in self.env["vrm.data.category"].sudo().search([]):
            for target in (company, "franchise", "partner"):
                partner._vrm_set_preference(target, "profiling", category.code, False, channel="rights")
        for pref in allowed_prefs.filtered(lambda p: p.recipient_id != company):
            partner._vrm_set_preference(pref.recipient_id, "profiling", pref.category_id.code, False, channel="rights")

    def action_approve(self):
        """Privacy officer approves an erasure: the customer is anonymised."""
        if not self.env.user.has_group("crm_vrm.group_vrm_manager"):
            raise UserError(self.env._("Only a privacy officer can approve erasure."))
        for request in self:
            if request.state != "to_approve":
                raise UserError(self.env._("Only requests waiting for approval can be approved."))
        self.approved_by_id = self.env.user
        self.sudo()._vrm_process()
        return True

    def action_reject(self):
        """Privacy officer rejects a request (the reason is kept)."""
        if not self.env.user.has_group("crm_vrm.group_vrm_manager"):
            raise UserError(self.env._("Only a privacy officer can reject a request."))
        for request in self:
            if request.state not in ("new", "to_approve"):
                raise UserError(self.env._("This request is already closed."))
            if not request.reject_reason:
                raise UserError(self.env._("Give the reason for the rejection."))
        self.write({"state": "rejected", "done_date": fields.Datetime.now()})
        return True

    def _vrm_make_export(self):
        """Attach the customer's data as JSON and as a zip of CSV files, one per section."""
        self.ensure_one()
        data = self.partner_id._vrm_export_data()
        data_json = json.dumps(data, indent=2, default=str, ensure_ascii=False)
        tables = {}
        for key, value in data.items():
            _csv_tables(key, value, tables)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file_name, (columns, rows) in tables.items():
                out = io.StringIO()
                writer = csv.writer(out)
                writer.writerow(columns)
                writer.writerows(rows)
                archive.writestr(f"{file_name}.csv", out.getvalue())
        Attachment = self.env["ir.attachment"].sudo()
        attachments = Attachment.create(
            [
                {
                    "name": f"{self.name}.json",
                    "raw": data_json.encode(),
                    "mimetype": "application/json",
                    "res_model": self._name,
                    "res_id": self.id,
                },
                {
                    "name": f"{self.name}.zip",
                    "datas": base64.b64encode(buffer.getvalue()),
                    "mimetype": "application/zip",
                    "res_model": self._name,
                    "res_id": self.id,
                },
            ]
        )
        self.attachment_ids = [(6, 0, attachments.ids)]
