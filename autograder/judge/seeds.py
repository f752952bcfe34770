"""The hidden-test seed: a secret drawn fresh for every grading, never stored, never shown.

Hidden-test inputs come from ``dlcourse.grading.grading_rng``, seeded by the grader. A seed that
stayed the same from one grading to the next could be learned once (a kernel can read its own
environment and echo it through its feedback) and used offline to regenerate the inputs and
build a lookup table. So:

- ``grade`` draws a fresh seed per call; ``autograde`` draws one per run, shared by the setup
  check and every submission graded in that run (the reference solution then runs once per run,
  not once per student). A resubmission is graded in a later run, so with a new seed: a seed
  learned from any feedback is never used again.
- the seed lives only in the grader's memory and the kernels' environment: reference runs for a
  fresh seed are kept in memory, not in the on-disk cache; the journal does not record it and
  its fingerprint does not depend on it (a new seed alone is no reason to regrade);
- every text of a result a student sees (test messages, notes) is redacted: the seed's decimal
  and hexadecimal forms become ``<seed>``.

The ``seed`` setting (>= 0) fixes the seed for debugging a notebook reproducibly. It is unsafe
for a real class: the seed is then the same for everyone and every resubmission.
"""
import re
import secrets

BITS = 62  # grading_rng takes any non-negative int; 62 bits are far beyond guessing


def fixed(cfg):
    """True when the configuration fixes the seed (debugging; unsafe for a real class)."""
    return cfg.seed >= 0


def draw(cfg):
    """The seed of one grading: the configured one when fixed, else a fresh secret."""
    return cfg.seed if fixed(cfg) else secrets.randbits(BITS)


def _forms(seed):
    seed = int(seed)
    return [f for f in {str(seed), f"{seed:x}", f"{seed:X}", f"{seed:#x}"} if len(f) >= 6]


def redact_text(text, seed):
    """text with every decimal or hexadecimal form of the seed replaced by <seed>."""
    if not isinstance(text, str):
        return text
    for form in sorted(_forms(seed), key=len, reverse=True):
        text = re.sub(re.escape(form), "<seed>", text, flags=re.IGNORECASE)
    return text


def redact(result, seed):
    """A grade_notebook result (changed in place and returned) with the seed taken out of its texts."""
    for test in result.get("tests", []):
        test["message"] = redact_text(test.get("message"), seed)
    result["problems"] = [redact_text(p, seed) for p in result.get("problems", [])]
    return result
