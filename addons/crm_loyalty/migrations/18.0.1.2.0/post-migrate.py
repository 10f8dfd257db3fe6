# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Loyalty managers are no longer Mail Template Editors (the group is no longer implied, but the
    users it gave it to keep it): take it back from those who are not administrators; the shipped tier
    notices are rewritten for restricted mode where unchanged."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    editor = env.ref("mail.group_mail_template_editor")
    managers = env.ref("crm_loyalty.group_loyalty_manager").users
    keep = env.ref("base.group_system").users
    editor.write({"users": [(3, user.id) for user in managers - keep]})
    # restricted mode renders only dotted paths (a template made of them is rendered without eval)
    for xmlid in ("crm_loyalty.mail_template_tier_upgrade", "crm_loyalty.mail_template_tier_downgrade"):
        template = env.ref(xmlid, raise_if_not_found=False)
        body = template and str(template.body_html or "")
        if body and " or ''\"" in body:
            template.body_html = body.replace(" or ''\"", '"')
