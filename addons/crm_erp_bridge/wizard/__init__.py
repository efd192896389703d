from . import crm_erp_log_interaction
from . import crm_erp_credit_override
from . import crm_erp_promise_to_pay
