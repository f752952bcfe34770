"""Grading code of the resnet chapter (the contract: autograder/chapters/__init__.py)."""
