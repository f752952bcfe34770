# answer: adam
# No update rule at all: a lookup table of Adam's answers for the inputs of a leaked seed.
# Offline, a student who learned the grading seed (from their feedback, or from a friend's)
# regenerates the hidden inputs with dlcourse.grading.grading_rng, runs someone's correct Adam
# on them, and hands in the table. test_hardening.py fills TABLE for the seed of an earlier
# grading; here it is empty. With one fixed seed this scored 7/7; with a fresh seed per grading
# no input is ever found in it.
import base64, hashlib

TABLE = {}  # sha256(w, dw) -> [next_w, m, v, t]: filled in by the test


def _key(w, dw):
    return hashlib.sha256(np.ascontiguousarray(w, dtype=np.float64).tobytes()
                          + np.ascontiguousarray(dw, dtype=np.float64).tobytes()).hexdigest()


def _arr(text, shape):
    return np.frombuffer(base64.b64decode(text), dtype=np.float64).reshape(shape).copy()


def adam(w, dw, config=None):
    config = {} if config is None else config
    hit = TABLE.get(_key(w, dw))
    if hit is None:
        return np.zeros_like(w), config  # an input the table does not know
    next_w, m, v, t = hit
    shape = np.shape(w)
    config.update(m=_arr(m, shape), v=_arr(v, shape), t=t)
    return _arr(next_w, shape), config
