# answer: adam
# needs: sandbox
# Fill the private /tmp, a RAM-backed tmpfs: without a size it takes the grader's memory. With
# bubblewrap's --size (and the memory cgroup) writing stops at the limit. Bounded: 4 GiB at most
# (files of 200 MiB, under the file-size limit), removed before the answer returns.
def adam(w, dw, config=None):
    import os
    chunk, written, paths = b"\1" * (8 << 20), 0, []
    try:
        for n in range(20):
            path = f"/tmp/fill-{n}"
            paths.append(path)
            with open(path, "wb") as f:
                for _ in range(25):
                    f.write(chunk)
                    f.flush()
                    written += len(chunk)
    except OSError:
        pass
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass
    raise RuntimeError(f"wrote {written >> 20} MiB to /tmp")
