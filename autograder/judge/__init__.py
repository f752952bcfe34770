"""Judging, outside the kernel: nothing a student's kernel says is trusted.

- cell.py: a test cell passes when the student's records match the reference run's (decoded
  and validated here);
- properties.py: the generic property checks a reference record may name instead of equality;
- chapter.py: where a chapter's own checks and hand-in code are found (autograder/chapters/<assignment>/):
  the judge knows no chapter by name;
- forbidden.py: shortcuts an answer may not take (parsed from its source, outside the kernel);
- seeds.py: the hidden tests' secret seed, drawn per run and redacted from every output;
- handin.py: handed-in files judged in a fresh sandboxed kernel on trusted data.
"""
