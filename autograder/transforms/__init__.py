"""Notebook transforms, one per file: release (setup cell, leak scan) and grading (merge)."""
