from . import test_timeline_delivery
from . import test_credit_hold
