"""Grading code of the normalization chapter (the contract: autograder/chapters/__init__.py)."""
