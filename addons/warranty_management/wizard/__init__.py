from . import warranty_registration_transfer
from . import warranty_claim_override
from . import warranty_cost_report_export
from . import warranty_claim_inspection
