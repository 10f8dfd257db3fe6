# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import crm_loyalty_tier
from . import crm_loyalty_tier_history
from . import crm_loyalty_channel
from . import loyalty_program
from . import loyalty_card
from . import loyalty_card_templates
from . import loyalty_history
from . import crm_loyalty_posting
from . import res_partner
from . import res_users
