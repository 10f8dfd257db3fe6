# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Support managers are no longer Mail Template Editors (the group is no longer implied, but the
    users it gave it to keep it): take it back from those who are not administrators; the shipped texts
    are rewritten for restricted mode where unchanged."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    editor = env.ref("mail.group_mail_template_editor")
    managers = env.ref("crm_support.group_support_manager").users
    keep = env.ref("base.group_system").users
    editor.write({"users": [(3, user.id) for user in managers - keep]})
    # The shipped texts, where still unchanged, in the forms restricted mode allows (dotted paths, no
    # dynamic attribute): a manager can then reword them.
    rewrites = {
        "crm_support.mail_template_ticket_ack": (
            "body_html",
            {
                '<a t-att-href="object.tracking_url">track my request</a>': '<t t-out="object.tracking_url"></t>',
                "t-out=\"object.contact_name or object.partner_id.name or ''\"": 't-out="object.contact_name"',
            },
        ),
        "crm_support.sms_template_ticket_push": ("body", {"{{ object.zip or '' }}": "{{ object.zip }}"}),
    }
    for xmlid, (fname, replacements) in rewrites.items():
        template = env.ref(xmlid, raise_if_not_found=False)
        text = template and str(template[fname] or "")
        if text and any(old in text for old in replacements):
            for old, new in replacements.items():
                text = text.replace(old, new)
            template[fname] = text
