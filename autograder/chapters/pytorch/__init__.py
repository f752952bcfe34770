"""Grading code of the pytorch chapter (the contract: autograder/chapters/__init__.py)."""
