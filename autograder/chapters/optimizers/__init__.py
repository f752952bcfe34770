"""Grading code of the optimizers chapter (the contract: autograder/chapters/__init__.py)."""
