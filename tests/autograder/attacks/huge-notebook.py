# chapter: optimizers
# A 24 MiB notebook: the reference answers plus a cell whose metadata holds millions of empty JSON
# objects (the dearest JSON per byte once parsed). There was no size limit for a submission, and a
# 17 MiB one took the grader 930 MiB-2.9 GiB to read (several readers: intake, grading, answers,
# feedback). Now it is refused unread (notebook_mb, 20 MiB: its lstat size), the reason in its
# verdict and in intake.txt. The base is the same answers without the padding.
import json

import classroom


def submit(folder, released, source):
    path = classroom.write_answers(folder, released, source, "optimizers")
    nb = json.loads(path.read_text())
    nb["cells"][0]["metadata"]["padding"] = [{}] * (6 << 20)
    path.write_text(json.dumps(nb))


def base(folder, released, source):
    classroom.write_answers(folder, released, source, "optimizers")
