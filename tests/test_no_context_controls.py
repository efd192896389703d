"""No control of the suite may be switched off by a context key.

Any RPC caller chooses the context, so a permission, validation, lock or accounting check guarded
by ``context.get("skip_...")`` is a check anyone can skip. This static test reads every Python
file of the addons (tests excluded) with ``ast`` and flags each read of a context key whose name
looks like a control (override, skip, trusted, force, bypass, check, ...): ``context.get("k")``,
``context["k"]`` and ``"k" in context`` on ``context``, ``ctx``, ``self.env.context``,
``self._context`` or any ``<expr>.context``. Trusted internal calls take a private method argument
or run ``sudo()`` inside a method that has already checked access; context keys may change
presentation only. A key that matches the pattern but only changes presentation goes in
``PRESENTATION_KEYS`` with the reason.
"""

import ast
import os
import re
import unittest

ADDONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "addons")

CONTROL_KEY = re.compile(
    r"override|skip|trusted|posting|force|bypass|no_?check|dry_?run|unlock|sudo|check|block|validat|allow",
    re.IGNORECASE,
)

# Keys that match CONTROL_KEY but only change presentation or defaults: key -> reason.
PRESENTATION_KEYS = {
}

CONTEXT_NAMES = {"context", "ctx", "_context"}


def _is_context(node):
    """``context``/``ctx`` names and ``<expr>.context``/``<expr>._context`` attributes."""
    if isinstance(node, ast.Name):
        return node.id in CONTEXT_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in CONTEXT_NAMES
    return False


def _string(node, constants):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _module_constants(tree):
    """Module-level ``NAME = "string"`` assignments, to resolve keys given by a constant."""
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def context_keys_read(source, filename="<source>"):
    """[(line, key)] of every context key read in ``source`` with a literal (or constant) key."""
    found = []
    tree = ast.parse(source, filename)
    constants = _module_constants(tree)
    for node in ast.walk(tree):
        key = None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "pop") and _is_context(node.func.value) and node.args):
            key = _string(node.args[0], constants)
        elif isinstance(node, ast.Subscript) and _is_context(node.value):
            key = _string(node.slice, constants)
        elif (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn))
                and _is_context(node.comparators[0])):
            key = _string(node.left, constants)
        if key is not None:
            found.append((node.lineno, key))
    return sorted(found)


def control_keys_read(source, filename="<source>"):
    """[(line, key)] of the context keys read in ``source`` that look like controls."""
    return [(line, key) for line, key in context_keys_read(source, filename)
            if CONTROL_KEY.search(key) and key not in PRESENTATION_KEYS]


def addon_python_files():
    for root, dirs, files in os.walk(ADDONS_DIR):
        dirs[:] = sorted(d for d in dirs if d not in ("tests", "__pycache__", "static", "migrations"))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(root, name)


class TestNoContextControls(unittest.TestCase):
    def test_detector_flags_a_context_guard_around_a_check(self):
        source = (
            "SKIP = 'warranty_cost_posting'\n"
            "def action_confirm(self):\n"
            "    if not self.env.context.get('bridge_credit_override'):\n"
            "        self._check_credit()\n"
            "    if self._context.get('skip_lock'):\n"
            "        return\n"
            "    if 'warranty_trusted_batch' in self.env.context:\n"
            "        pass\n"
            "    ctx = self.env.context\n"
            "    force = ctx['force_post']\n"
            "    posting = self.env.context.get(SKIP)\n"
        )
        self.assertEqual(
            control_keys_read(source),
            [(3, "bridge_credit_override"), (5, "skip_lock"), (7, "warranty_trusted_batch"), (10, "force_post"),
             (11, "warranty_cost_posting")],
        )

    def test_detector_ignores_presentation_keys(self):
        source = (
            "def _compute_display_name(self):\n"
            "    if self.env.context.get('show_address'):\n"
            "        pass\n"
            "    lang = self._context.get('lang')\n"
            "    active = self.env.context.get('active_id')\n"
        )
        self.assertEqual(control_keys_read(source), [])
        self.assertEqual([key for _line, key in context_keys_read(source)], ["show_address", "lang", "active_id"])

    def test_presentation_keys_are_not_controls_in_disguise(self):
        for key, reason in PRESENTATION_KEYS.items():
            self.assertTrue(CONTROL_KEY.search(key), f"{key}: not a control-like name, remove it from the allow-list")
            self.assertTrue(reason, f"{key}: say why this key only changes presentation")

    def test_no_addon_switches_a_control_off_with_a_context_key(self):
        flagged = []
        files = list(addon_python_files())
        self.assertTrue(files, f"no Python file found under {ADDONS_DIR}")
        for path in files:
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
            for line, key in control_keys_read(source, path):
                flagged.append(f"{os.path.relpath(path, os.path.dirname(ADDONS_DIR))}:{line}: context key {key!r}")
        if flagged:
            self.fail(
                "Context keys that look like controls (any RPC caller can set them; use a private method "
                "argument or sudo() after an access check, or add a presentation key to PRESENTATION_KEYS "
                "with its reason):\n  " + "\n  ".join(flagged)
            )
