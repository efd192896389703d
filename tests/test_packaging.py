"""The addons are Python packages too: ``odoo-addon-<name>`` wheels built with whool, as OCA publishes theirs.

The test builds the four wheels from ``addons/<name>`` (whool from requirements.txt, no build isolation: nothing
is downloaded), installs them into a fresh virtual environment and proves that Odoo finds them in the
``odoo.addons`` namespace with an addons path that holds only Odoo's own addons, down to installing one of
them into a throw-away database.

Odoo is not on PyPI and the wheels require ``odoo==18.0.*``. The fresh environment gets that requirement from
a one-file distribution built here: ``odoo`` at the version of the Odoo tree under test, whose only content is
a .pth file that puts the tree on sys.path (the layout scripts/test gives the suite's venv). Odoo's own Python
requirements come from the suite's venv through a second .pth file. So pip resolves every requirement of the
wheels offline (``--no-index``) from the built wheels alone, and pulls ``odoo-addon-crm_erp_bridge`` in
through the dependencies of the addons built on it. Run through ./scripts/test (SUITE_* variables).
"""

import ast
import email.parser
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import psycopg2
import pytest

import odoo.release

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from check_install_log import offending_lines  # noqa: E402

ADDONS = ("customer_unification", "crm_erp_bridge", "crm_erp_bridge_stock", "crm_erp_legacy_import",
          "warranty_management")
#: installed into a database from its wheel (the smallest of the four: about a minute)
INSTALLED_IN_DB = "customer_unification"
#: what pip is asked for: crm_erp_bridge must come in as a dependency of the addons built on it
REQUESTED = ("odoo-addon-customer_unification", "odoo-addon-warranty_management", "odoo-addon-crm_erp_bridge_stock",
             "odoo-addon-crm_erp_legacy_import")
ODOO_SERIES_SPEC = "==%s.*" % odoo.release.serie


def _suite_env():
    names = ("SUITE_PYTHON", "SUITE_ODOO_BIN", "SUITE_ODOO_PATH", "SUITE_ADDONS_PATH", "SUITE_DB")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.fail("run these tests through ./scripts/test (missing %s)" % ", ".join(missing))
    return {name: os.environ[name] for name in names}


def _clean_environ():
    """The environment of the commands run here: no pip configuration of the machine, no inherited paths."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PIP_") and key not in ("PYTHONPATH", "VIRTUAL_ENV", "ODOO_RC", "OPENERP_SERVER")
    }
    env["PIP_CONFIG_FILE"] = os.devnull  # pip then reads no configuration file: only the options given here
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _run(cmd, timeout=300, **kwargs):
    result = subprocess.run(
        [str(part) for part in cmd], capture_output=True, text=True, timeout=timeout,
        env=_clean_environ(), check=False, **kwargs,
    )
    assert result.returncode == 0, "%s failed:\n%s\n%s" % (" ".join(map(str, cmd)), result.stdout[-3000:],
                                                           result.stderr[-3000:])
    return result.stdout


def _manifest(addon):
    return ast.literal_eval((ROOT / "addons" / addon / "__manifest__.py").read_text())


def _git_status():
    return _run(["git", "status", "--porcelain", "--untracked-files=all", "--ignored"], cwd=ROOT)


def _tracked_files(addon):
    """Files of the addon folder that git tracks (and that still exist): what whool packages."""
    folder = ROOT / "addons" / addon
    listed = _run(["git", "ls-files", "-z", "."], cwd=folder).split("\0")
    return {name for name in listed if name and (folder / name).is_file()}


def _wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.HeaderParser().parsestr(archive.read(name).decode()), archive.namelist()


def _build_odoo_locator(odoo_path, python, wheel_dir, tmp):
    """The ``odoo`` distribution of the fresh environment: Odoo's version, a .pth to the source tree."""
    version = odoo.release.version
    tree = tmp / "odoo-locator"
    dist_info = tree / ("odoo-%s.dist-info" % version)
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: odoo\nVersion: %s\nSummary: Odoo %s from the source tree at %s\n"
        % (version, version, odoo_path)
    )
    (dist_info / "WHEEL").write_text(
        "Wheel-Version: 1.0\nGenerator: tests/test_packaging.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    (tree / "odoo_source_tree.pth").write_text(odoo_path + "\n")
    _run([python, "-m", "wheel", "pack", "--dest-dir", wheel_dir, tree])


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """Build the wheels, create a fresh venv and pip-install them there; returns what the tests look at."""
    env = _suite_env()
    tmp = tmp_path_factory.mktemp("packaging")
    wheel_dir = tmp / "wheels"
    wheel_dir.mkdir()
    status_before = _git_status()

    _run([env["SUITE_PYTHON"], "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "--wheel-dir", wheel_dir, *(ROOT / "addons" / addon for addon in ADDONS)])
    status_after = _git_status()
    wheels = {}
    for wheel in wheel_dir.glob("*.whl"):
        metadata, names = _wheel_metadata(wheel)
        wheels[metadata["Name"]] = {"path": wheel, "metadata": metadata, "names": names}

    venv = tmp / "venv"
    # a venv made from the suite's venv python is based on the same base interpreter, and sees none of its
    # packages; without pip of its own: the suite's pip installs into it (pip --python)
    _run([env["SUITE_PYTHON"], "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    suite_site = _run([env["SUITE_PYTHON"], "-c", "import sysconfig; p = sysconfig.get_paths(); "
                                                  "print('\\n'.join(sorted({p['purelib'], p['platlib']})))"])
    (site / "suite_libraries.pth").write_text(suite_site)  # Odoo's requirements, rapidfuzz, jellyfish, ...
    _build_odoo_locator(env["SUITE_ODOO_PATH"], env["SUITE_PYTHON"], wheel_dir, tmp)
    pip_log = _run([env["SUITE_PYTHON"], "-m", "pip", "--python", python, "install", "--no-index",
                    "--find-links", wheel_dir, *REQUESTED])

    # Odoo's own addons only: the suite's must come from the wheels
    odoo_addons_path = [
        path for path in env["SUITE_ADDONS_PATH"].split(",")
        if path and not Path(path).resolve().is_relative_to(ROOT)
    ]
    conf = tmp / "odoo.conf"
    conf.write_text(textwrap.dedent("""\
        [options]
        addons_path = %s
        data_dir = %s
        """) % (",".join(odoo_addons_path), tmp / "data"))
    return {
        "env": env, "tmp": tmp, "wheels": wheels, "python": python, "site": site, "conf": conf,
        "odoo_addons_path": odoo_addons_path, "pip_log": pip_log, "status": (status_before, status_after),
    }


def _expected_requires(addon, odoo_addon_dirs):
    """What the wheel must require: Odoo, the suite's addons it depends on, the manifest's Python packages."""
    manifest = _manifest(addon)
    core = {dep for dep in manifest["depends"] if any((Path(d) / dep / "__manifest__.py").is_file()
                                                      for d in odoo_addon_dirs)}
    return sorted(
        ["odoo" + ODOO_SERIES_SPEC]
        + ["odoo-addon-%s%s" % (dep, ODOO_SERIES_SPEC) for dep in manifest["depends"] if dep not in core]
        + list(manifest.get("external_dependencies", {}).get("python", []))
    )


def test_wheels_carry_name_version_and_dependencies_of_the_manifests(packaged):
    assert sorted(packaged["wheels"]) == sorted("odoo-addon-%s" % addon for addon in ADDONS)
    for addon in ADDONS:
        metadata = packaged["wheels"]["odoo-addon-%s" % addon]["metadata"]
        manifest_version = _manifest(addon)["version"]
        # whool: the manifest version, plus ".N" for the N commits to the addon since the version last changed
        assert re.fullmatch(re.escape(manifest_version) + r"(\.\d+)?", metadata["Version"]), metadata["Version"]
        expected = _expected_requires(addon, packaged["odoo_addons_path"])
        assert sorted(metadata.get_all("Requires-Dist")) == expected, addon
        assert metadata["License"] == _manifest(addon)["license"]


def test_wheels_hold_every_tracked_file_of_the_addon(packaged):
    for addon in ADDONS:
        names = packaged["wheels"]["odoo-addon-%s" % addon]["names"]
        prefix = "odoo/addons/%s/" % addon
        packaged_files = {name[len(prefix):] for name in names if name.startswith(prefix)}
        assert packaged_files == _tracked_files(addon) - {"pyproject.toml"}, addon
        assert not [name for name in names if not name.startswith(prefix) and ".dist-info/" not in name]
        manifest = _manifest(addon)
        for data_file in manifest.get("data", []) + manifest.get("demo", []):
            assert data_file in packaged_files, "%s: %s is not in the wheel (whool packages what git tracks)" % (
                addon, data_file)


def test_building_leaves_no_artefact_in_the_repository(packaged):
    before, after = packaged["status"]
    assert before == after, "building the wheels changed the working tree"
    ignored = _run(["git", "check-ignore", "--no-index", "build/", "dist/", "addons/crm_erp_bridge/build/",
                    "addons/crm_erp_bridge/x.egg-info/", "dist/x.whl"], cwd=ROOT).split()
    assert len(ignored) == 5, ignored


def test_pip_resolves_the_addon_dependencies_among_the_wheels(packaged):
    installed = json.loads(_run([packaged["python"], "-c", textwrap.dedent("""\
        import importlib.metadata as md, json
        print(json.dumps({d.metadata["Name"]: d.version for d in md.distributions()
                          if d.metadata["Name"].startswith("odoo")}))
        """)]))
    assert installed.pop("odoo") == odoo.release.version
    assert sorted(installed) == sorted("odoo-addon-%s" % addon for addon in ADDONS), packaged["pip_log"]
    for name, version in installed.items():
        assert version == packaged["wheels"][name]["metadata"]["Version"]


def test_odoo_finds_the_installed_addons_without_the_repository_in_its_path(packaged):
    probe = textwrap.dedent("""\
        import importlib, json, sys
        import odoo
        from odoo.modules import module
        from odoo.tools import config
        config.parse_config(["-c", sys.argv[1]])
        module.initialize_sys_path()
        found = {}
        for name in sys.argv[2:]:
            imported = importlib.import_module("odoo.addons." + name)
            found[name] = [module.get_module_path(name), imported.__file__, module.get_manifest(name)["version"]]
        print(json.dumps({"odoo": odoo.__file__, "path": odoo.addons.__path__, "found": found}))
        """)
    result = json.loads(_run([packaged["python"], "-c", probe, packaged["conf"], *ADDONS], cwd=packaged["tmp"]))
    assert Path(result["odoo"]).resolve().is_relative_to(Path(packaged["env"]["SUITE_ODOO_PATH"]).resolve())
    assert not [path for path in result["path"] if Path(path).resolve().is_relative_to(ROOT)]
    site_addons = packaged["site"] / "odoo" / "addons"
    for addon in ADDONS:
        module_path, init_file, version = result["found"][addon]
        assert Path(module_path) == site_addons / addon
        assert Path(init_file) == site_addons / addon / "__init__.py"
        assert version == _manifest(addon)["version"]


def test_an_addon_installs_from_its_wheel(packaged):
    dbname = "%s_wheel" % packaged["env"]["SUITE_DB"]
    log = packaged["tmp"] / "install.log"
    try:
        _run([packaged["python"], packaged["env"]["SUITE_ODOO_BIN"], "-c", packaged["conf"], "-d", dbname,
              "-i", INSTALLED_IN_DB, "--without-demo=all", "--stop-after-init", "--no-http",
              "--max-cron-threads=0", "--log-level=info", "--logfile", log], timeout=600, cwd=packaged["tmp"])
        text = log.read_text(errors="replace")
        bad = list(offending_lines(text.splitlines(keepends=True)))
        assert not bad, "WARNING/ERROR lines from our modules:\n%s" % "\n".join(bad)
        conn = psycopg2.connect(dbname=dbname)
        with conn.cursor() as cr:
            cr.execute("SELECT state, latest_version FROM ir_module_module WHERE name = %s", (INSTALLED_IN_DB,))
            state, version = cr.fetchone()
        conn.close()
        assert state == "installed"
        assert version == _manifest(INSTALLED_IN_DB)["version"]
    finally:
        _drop(dbname)


def _drop(dbname):
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
        cr.execute('DROP DATABASE IF EXISTS "%s"' % dbname.replace('"', ""))
    conn.close()


def test_pre_commit_hooks_pin_the_versions_ci_uses():
    """.pre-commit-config.yaml installs the same ruff and pylint-odoo as requirements.txt (scripts/test)."""
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    hooks = dict(re.findall(r'"([A-Za-z0-9_.-]+)==([^"]+)"', (ROOT / ".pre-commit-config.yaml").read_text()))
    assert {"ruff", "pylint-odoo"} <= set(hooks)
    for name, version in hooks.items():
        if name in pins:
            assert version == pins[name], "%s: %s in .pre-commit-config.yaml, %s in requirements.txt" % (
                name, version, pins[name])
