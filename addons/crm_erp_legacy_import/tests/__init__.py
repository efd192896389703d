from . import test_legacy_import
from . import test_legacy_malformed
from . import test_legacy_security
from . import test_legacy_tour
