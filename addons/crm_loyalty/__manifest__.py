# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Loyalty Tiers",
    "summary": "Tiers, qualifying points, per-award expiry and points-to-voucher runs on Odoo's loyalty engine",
    "version": "18.0.1.2.0",
    "category": "Sales/CRM",
    "author": "CRM Suite developers",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["loyalty", "sms", "crm_vrm"],
    "data": [
        "security/crm_loyalty_security.xml",
        "security/ir.model.access.csv",
        "data/crm_loyalty_data.xml",
        "data/crm_loyalty_templates.xml",
        "data/vrm_sharing_data.xml",
        "wizards/crm_loyalty_adjust_views.xml",
        "wizards/crm_loyalty_backfill_views.xml",
        "views/loyalty_program_views.xml",
        "views/loyalty_card_views.xml",
        "views/portal_templates.xml",
        "views/res_users_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/crm_loyalty_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "crm_loyalty/static/tests/tours/**/*",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "application": True,
    "installable": True,
}
