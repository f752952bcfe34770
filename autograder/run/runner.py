"""The untrusted side: runs notebook cells in a child process. Standard library and IPython only.

This file is executed as a script inside the (sandboxed) child; it imports nothing from the
course. Protocol, JSON lines:
- reads commands from fd ``argv[1]``: {"index": i, "source": "..."}; i is the cell's index, or
  "i:visible" / "i:hidden" for the two stages of a test cell split at its hidden-tests marker
  (the grader runs them as two commands, each with its own records and error:
  autograder/run/execute.py, grading_cells);
- writes to fd ``argv[2]``: {"op": "done", "index": i, "ok": bool, "ename": ..., "evalue": ...},
  i echoed as it came.
Grading records (dlcourse.grading.record) go to the same descriptor. Nothing written here is
trusted by the grader beyond "this is what the student's code produced".
"""
import json
import os
import sys


def main():
    cmd_fd, out_fd = int(sys.argv[1]), int(sys.argv[2])
    os.environ["DLCOURSE_RECORD_FD"] = str(out_fd)
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="nocolor")
    shell.display_formatter.active_types = ["text/plain"]
    commands = os.fdopen(cmd_fd, "r", encoding="utf-8")

    def send(msg):
        data = (json.dumps(msg) + "\n").encode()
        while data:
            data = data[os.write(out_fd, data):]

    for line in commands:
        msg = json.loads(line)
        result = shell.run_cell(msg["source"], store_history=False)
        err = result.error_before_exec or result.error_in_exec
        sys.stdout.flush()
        sys.stderr.flush()
        send({"op": "done", "index": msg["index"], "ok": err is None,
              "ename": type(err).__name__ if err is not None else None,
              "evalue": str(err)[:2000] if err is not None else None})


if __name__ == "__main__":
    main()
