# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import crm_api_idempotency
from . import crm_api_rate_limit
from . import crm_api_webhook_event
from . import crm_api_webhook
from . import crm_api_webhook_delivery
from . import fastapi_endpoint
from . import res_partner
from . import loyalty_card
from . import crm_support_ticket
from . import res_lang
from . import ir_http
