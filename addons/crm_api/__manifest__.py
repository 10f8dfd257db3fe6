# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "CRM Headless API",
    "summary": "REST API (OpenAPI 3) over loyalty, support and data sharing: API keys, idempotency, webhooks",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "author": "CRM Suite developers",
    "website": "https://github.com/crm-suite/crm-suite",
    "license": "LGPL-3",
    "depends": ["fastapi", "crm_vrm", "crm_loyalty", "crm_support"],
    "external_dependencies": {"python": ["fastapi", "pydantic"]},
    "data": [
        "security/crm_api_security.xml",
        "security/ir.model.access.csv",
        "data/crm_api_webhook_event_data.xml",
        "data/fastapi_endpoint_data.xml",
        "data/ir_cron_data.xml",
        "views/crm_api_webhook_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/crm_api_demo.xml"],
    "installable": True,
}
