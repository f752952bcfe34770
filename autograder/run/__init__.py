"""Isolation: a submission's cells run in a fresh, limited kernel, never in the grader.

- execute.py: the kernel's life (cells one at a time, time and memory limits, restarts, the
  record channel, what the kernel is given: kernel_library());
- sandbox.py: bubblewrap (namespaces, read-only system, an unprivileged uid as root);
- resources.py: cgroups (memory, pids, CPU time) and what this machine cannot enforce;
- runner.py: the only grader code that runs inside the kernel.
"""
