# Interpreter-level hooks that hide failures.
import sys
sys.excepthook = lambda *a: None
sys.unraisablehook = lambda *a: None
get_ipython().showtraceback = lambda *a, **k: None
