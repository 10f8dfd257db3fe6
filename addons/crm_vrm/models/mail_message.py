# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    # whose choices govern the message's copy of the author's address (email_from, mapped to
    # the contact details in the register): the author's
    _vrm_subject_field = "author_id"
