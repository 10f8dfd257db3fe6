# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import vrm_register_mixin
from . import vrm_recipient
from . import vrm_purpose
from . import vrm_data_category
from . import vrm_preference
from . import vrm_consent_event
from . import vrm_receipt_key
from . import vrm_access_log
from . import res_partner
from . import res_partner_rights
from . import vrm_enforcement
from . import vrm_enforcement_base
from . import vrm_enforcement_matching
from . import mail_message
from . import res_users
from . import ir_qweb_field
from . import ir_qweb_field_contact
from . import vrm_rights_request
from . import vrm_agreement
from . import vrm_agreement_record
