# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Data Sharing (VRM)",
    "summary": "Customers decide who may see and use their data; the ERP enforces, records and proves it",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "author": "CRM Suite developers",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["mail", "portal", "phone_validation"],
    "external_dependencies": {"python": ["joserfc", "cryptography"]},
    "data": [
        "security/crm_vrm_security.xml",
        "security/ir.model.access.csv",
        "data/vrm_data.xml",
        "data/ir_sequence_data.xml",
        "data/vrm_agreement_data.xml",
        "data/ir_cron_data.xml",
        "views/vrm_register_views.xml",
        "views/res_partner_views.xml",
        "views/res_users_views.xml",
        "views/vrm_rights_request_views.xml",
        "views/vrm_agreement_views.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
        "report/res_partner_reports.xml",
    ],
    "demo": ["demo/vrm_demo.xml"],
    "assets": {
        "web.assets_frontend": [
            "crm_vrm/static/src/js/data_sharing.js",
        ],
        "web.assets_tests": [
            "crm_vrm/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
