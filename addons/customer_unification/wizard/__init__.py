from . import base_partner_merge_automatic_wizard
from . import customer_merge_survivorship_line
from . import customer_import_wizard
from . import customer_import_mapping
from . import customer_import_line
from . import crm_lead_to_opportunity
