# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import crm_loyalty_card_wizard
from . import crm_loyalty_adjust
from . import crm_loyalty_backfill
from . import loyalty_card_update_balance
