from . import crm_erp_followup_step
from . import customer_match_rule
from . import warranty_registration
from . import res_company
from . import res_partner
from . import crm_erp_timeline
from . import crm_erp_customer_report
