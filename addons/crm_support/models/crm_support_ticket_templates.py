# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

# Mail and SMS templates render as superuser, so whoever may put any expression in one reads anything
# (`object.env['ir.config_parameter']...`). Support managers are not Mail Template Editors: Odoo's restricted
# mode lets them change the wording and use only the expressions listed here (exact strings, checked when a
# template is saved, mail.render.mixin._check_access_right_dynamic_template). The list holds what the
# service templates use: fields of the request its customer or assignee is meant to read. Only dotted paths:
# a template made of allowed expressions is rendered without eval, by Odoo's regex renderer, which reads
# `object.a.b` (a default goes inside the tag, `<t t-out="object.zip">-</t>`, or after `|||`).

from odoo import models

TEMPLATE_PATHS = (
    "object.name",
    "object.subject",
    "object.email",
    "object.zip",
    "object.contact_name",
    "object.partner_id.name",
    "object.product_name",
    "object.category_id.name",
    "object.stage_id.name",
    "object.franchise_id.name",
    "object.user_id.name",
    "object.resolution",
    "object.tracking_url",
    "object.deep_link",
)


class CrmSupportTicket(models.Model):
    _inherit = "crm.support.ticket"

    def mail_allowed_qweb_expressions(self):
        """Expressions a support manager may use in the service templates."""
        return (*super().mail_allowed_qweb_expressions(), *TEMPLATE_PATHS)
