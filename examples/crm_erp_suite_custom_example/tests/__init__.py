from . import test_example_rules
