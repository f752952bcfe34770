# Fill the kernel's own command pipe (reopened for writing through /proc), fake "done" for the next
# cells, then stop reading: the grader's next write to the pipe would block forever without a deadline.
import os, sys, json, time
if not os.path.exists(".fired"):
    open(".fired", "w").close()
    cmd, out = int(sys.argv[1]), int(sys.argv[2])
    w = os.open(f"/proc/self/fd/{cmd}", os.O_WRONLY | os.O_NONBLOCK)
    try:
        while True:
            os.write(w, b" " * 4096)
    except BlockingIOError:
        pass
    os.write(out, "".join(json.dumps({"op": "done", "index": i, "ok": True}) + "\n" for i in range(200)).encode())
    time.sleep(10 ** 6)
