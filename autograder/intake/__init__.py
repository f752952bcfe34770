"""Intake: a submissions folder becomes grading jobs (folders.py); nothing in it is followed or
trusted before grade/ takes it."""
