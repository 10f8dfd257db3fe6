# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo.tests import TransactionCase, new_test_user


def text_columns_holding(cr, needles):
    """Every "table.column" of a text type (text, varchar, char, jsonb), in any table of the
    database, whose content holds one of the needles (case-insensitive)."""
    cr.execute(
        """
        SELECT c.table_name, c.column_name
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_name = c.table_name AND t.table_schema = c.table_schema
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
           AND c.data_type IN ('character varying', 'text', 'jsonb', 'character')
        """
    )
    pattern = "(" + "|".join(re.escape(needle) for needle in needles) + ")"
    found = []
    for table, column in cr.fetchall():
        cr.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text ~* %s LIMIT 1', [pattern])
        if cr.fetchone():
            found.append(f"{table}.{column}")
    return found


class VrmCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True, tracking_disable=True))
        cls.company_recipient = cls.env.ref("crm_vrm.recipient_company")
        Recipient = cls.env["vrm.recipient"]
        cls.franchise_north = Recipient.create({"name": "Glass Repair North", "recipient_type": "franchise"})
        cls.franchise_south = Recipient.create({"name": "Glass Repair South", "recipient_type": "franchise"})
        Partner = cls.env["res.partner"]
        cls.alice = Partner.create(
            {
                "name": "Alice Example",
                "email": "alice@example.com",
                "phone": "+44 7911 123412",
                "mobile": "+44 7911 123434",
                "street": "1 High Street",
                "city": "Leeds",
                "function": "Engineer",
                "partner_latitude": 53.8,
            }
        )
        cls.bob = Partner.create(
            {
                "name": "Bob Example",
                "email": "bob@example.org",
                "phone": "+44 7911 123256",
                "city": "York",
                "function": "Teacher",
            }
        )
        cls.user_internal = new_test_user(cls.env, login="vrm_internal", groups="base.group_user", name="Ivy Internal")
        cls.user_officer = new_test_user(
            cls.env,
            login="vrm_officer",
            groups="base.group_user,crm_vrm.group_vrm_manager",
            name="Olga Officer",
        )
        cls.user_portal = new_test_user(cls.env, login="vrm_portal", groups="base.group_portal", name="Paul Portal")
        cls.purpose_service = cls.env.ref("crm_vrm.purpose_service")
        cls.purpose_marketing = cls.env.ref("crm_vrm.purpose_marketing")
        # the purpose a user reads for is the administrator's setting on the user, never the request's
        cls.user_internal.vrm_purpose_id = cls.purpose_service

    def reads_for(self, user, purpose):
        """Set, as an administrator would, the purpose user reads customers' data for."""
        user.sudo().vrm_purpose_id = purpose and self.env.ref(f"crm_vrm.purpose_{purpose}")
        return user
