"""Grading code of the dropout chapter (the contract: autograder/chapters/__init__.py)."""
