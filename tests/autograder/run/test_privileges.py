"""The kernel never holds a privilege, whoever runs the grader (autograder/run/sandbox.py).

Checked from inside a real grading kernel (execute.run_cells, the path every submission takes):
its uid, capabilities, no_new_privs, its own user namespace, a remount of /usr and of the
Python environment, writes to every host path it can see, the sizes of /tmp and /dev/shm; and
from outside: nothing on the host changed. Run as root where CI runs as root (the case that
matters most: bubblewrap alone would leave the kernel uid 0 with nearly every capability).
"""
import json
import os
import sys
from pathlib import Path

import pytest

from autograder.run import sandbox
from autograder.config import Config
from autograder.errors import GradingError
from autograder.run.execute import Cell, run_cells

ISOLATED = sandbox.bwrap_path() is not None
needs_bwrap = pytest.mark.skipif(not ISOLATED, reason="needs bubblewrap (apt-get install bubblewrap)")

PROBE = r'''
import ctypes, json, os, sys, sysconfig
libc = ctypes.CDLL(None, use_errno=True)
info = {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups()}
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
info.update({k: status[k].strip() for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb", "NoNewPrivs")})
info["uid_map"] = open("/proc/self/uid_map").read().split()
info["userns"] = os.readlink("/proc/self/ns/user")
targets = sorted({sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], "/usr", "/etc"})
info["remounted"] = [t for t in targets if libc.mount(None, t.encode(), None, 0x20 | 0x1000, None) == 0]  # MS_REMOUNT|MS_BIND
info["written"] = []
for t in targets:
    for name in ("zz-privilege-test.pth", "privilege-test-was-here"):
        try:
            with open(os.path.join(t, name), "w") as f:
                f.write("import os\n")
            info["written"].append(os.path.join(t, name))
        except OSError:
            pass
try:
    os.setuid(0)
    info["setuid0"] = True
except OSError:
    info["setuid0"] = False
info["unshare_user"] = libc.unshare(0x10000000) == 0  # CLONE_NEWUSER
sv = os.statvfs("/dev/shm"); st = os.statvfs("/tmp")
info["shm_mb"] = sv.f_blocks * sv.f_frsize >> 20
info["tmp_mb"] = st.f_blocks * st.f_frsize >> 20
info["cwd_writable"] = os.access(".", os.W_OK)
raise RuntimeError("PROBE" + json.dumps(info))
'''


def kernel_view(tmp_mb=64):
    cfg = Config(tmp_mb=tmp_mb, cgroups="off", cell_timeout=60, submission_timeout=120)
    [outcome] = run_cells([Cell(0, PROBE, 60.0)], seed=1, cfg=cfg, sandbox_mode="bwrap")
    assert outcome.status == "error" and outcome.evalue.startswith("PROBE"), (outcome.status, outcome.evalue)
    return json.loads(outcome.evalue[len("PROBE"):])


@pytest.fixture(scope="module")
def view():
    if not ISOLATED:
        pytest.skip("needs bubblewrap (apt-get install bubblewrap)")
    host_userns = os.readlink("/proc/self/ns/user")
    before = {p: p.exists() for p in _host_targets()}
    try:
        seen = kernel_view()
        after = {p: p.exists() for p in _host_targets()}
    finally:
        for p in _host_targets():  # should the sandbox ever fail, leave nothing planted behind
            if p.exists() and not before[p]:
                p.unlink()
    return {"seen": seen, "host_userns": host_userns, "before": before, "after": after}


def _host_targets():
    import sysconfig
    tops = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], "/usr", "/etc"}
    return [Path(t) / n for t in tops for n in ("zz-privilege-test.pth", "privilege-test-was-here")]


def test_kernel_is_an_unprivileged_user_with_no_capabilities(view):
    seen = view["seen"]
    assert seen["uid"] != 0 and seen["euid"] != 0 and seen["gid"] != 0 and 0 not in seen["groups"], seen
    if os.geteuid() == 0:
        assert seen["uid"] == sandbox.SANDBOX_UID, seen
    for key in ("CapEff", "CapPrm", "CapAmb"):
        assert int(seen[key], 16) == 0, (key, seen[key])
    if os.geteuid() == 0:
        assert int(seen["CapBnd"], 16) == 0 and seen["NoNewPrivs"] == "1", seen
    assert seen["setuid0"] is False


def test_kernel_has_its_own_user_namespace_and_no_nested_one(view):
    seen = view["seen"]
    assert seen["userns"] != view["host_userns"]
    inside, outside, count = (int(n) for n in seen["uid_map"][:3])
    assert count == 1, seen["uid_map"]
    if os.geteuid() == 0:  # never mapped to the host's root (as a user, bubblewrap nests two namespaces)
        assert inside == outside == sandbox.SANDBOX_UID, seen["uid_map"]
    assert seen["unshare_user"] is False


def test_host_paths_cannot_be_remounted_or_written(view):
    seen = view["seen"]
    assert seen["remounted"] == [] and seen["written"] == [], seen
    assert view["before"] == view["after"] and not any(view["after"].values())
    assert seen["cwd_writable"] is True  # its own working folder is its one writable host folder


def test_tmp_and_dev_shm_are_sized(view):
    seen = view["seen"]
    assert seen["tmp_mb"] == 64 and seen["shm_mb"] == 64, seen


@pytest.mark.skipif(os.geteuid() != 0, reason="the refusal is for a grader running as root")
def test_root_never_runs_student_code_unisolated(monkeypatch):
    with pytest.raises(GradingError, match="root"):
        sandbox.resolve("none")
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    for mode in ("auto", "bwrap", "none"):
        with pytest.raises(GradingError, match="apt-get install bubblewrap"):
            sandbox.resolve(mode)


def test_sandbox_uid_must_be_unprivileged(tmp_path):
    from autograder.config import load
    with pytest.raises(GradingError, match="sandbox_uid"):
        load(tmp_path, overrides=["sandbox_uid=0"])


@needs_bwrap
def test_reference_run_is_sandboxed_too(monkeypatch, tmp_path):
    """The instructor's reference notebook runs in the same sandbox as every submission."""
    from autograder.grade import submission as grade
    seen = []

    def fake_run_cells(cells, **kw):
        seen.append(kw["sandbox_mode"])
        raise GradingError("stop here")
    monkeypatch.setattr(grade, "run_cells", fake_run_cells)
    root = Path(__file__).resolve().parents[3]
    with pytest.raises(GradingError, match="stop here"):
        grade._reference_records(root / "solutions" / "optimizers" / "optimizers.ipynb",
                                 Config(cache_dir=str(tmp_path)), root, None, 1, "k")
    assert seen == ["bwrap"]
