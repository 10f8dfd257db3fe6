# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Service Requests",
    "summary": "Service requests routed to the right franchise and person, SLA escalation by e-mail and SMS",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "author": "CRM Suite developers",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["mail", "portal", "sms", "phone_validation", "resource", "crm_vrm"],
    "data": [
        "security/crm_support_security.xml",
        "security/ir.model.access.csv",
        "data/crm_support_data.xml",
        "data/crm_support_templates.xml",
        "data/res_partner_category_data.xml",
        "data/vrm_sharing_data.xml",
        "views/crm_support_ticket_views.xml",
        "views/crm_franchise_views.xml",
        "views/crm_support_config_views.xml",
        "views/crm_support_report_views.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/crm_support_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "crm_support/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
