
from . import res_partner
from . import customer_match_rule
from . import customer_match_rule_line
from . import customer_match_model
from . import customer_duplicate_pair
from . import customer_duplicate_group
from . import customer_scan_job
from . import customer_scan_partition
from . import customer_merge_repointer
from . import base
from . import customer_merge_log
from . import customer_merge_log_line
from . import crm_lead
from . import customer_data_quality
