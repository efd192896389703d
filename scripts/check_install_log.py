"""Report WARNING/ERROR/CRITICAL lines of an Odoo log that come from the suite's modules.

Used by scripts/test on the main install and by tests/test_install_matrix.py.
Exit status 1 when such lines exist (they are printed), 0 otherwise.
"""

import re
import sys

OUR_MODULES = ("customer_unification", "crm_erp_bridge", "warranty_management")
# Odoo names a model, not its module, in some warnings ("The model x has no access rules").
OUR_MODEL_PREFIXES = (r"customer\.(match|duplicate|merge|import|scan)", r"crm\.erp\.", r"warranty\.")
LEVEL = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")
OURS = re.compile("|".join((*OUR_MODULES, *OUR_MODEL_PREFIXES)))


def offending_lines(lines):
    """Yield the log records (first line) at WARNING or above that mention our modules or models."""
    record = []
    for line in lines:
        if re.match(r"^\d{4}-\d\d-\d\d ", line):
            if record and LEVEL.match(record[0]) and OURS.search("".join(record)):
                yield record[0].rstrip()
            record = [line]
        else:
            record.append(line)
    if record and LEVEL.match(record[0]) and OURS.search("".join(record)):
        yield record[0].rstrip()


def main(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        bad = list(offending_lines(log))
    for line in bad:
        sys.stdout.write(line + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
