from . import test_timeline_delivery
