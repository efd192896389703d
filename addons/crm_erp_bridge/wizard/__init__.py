from . import crm_erp_log_interaction
from . import crm_erp_credit_override
