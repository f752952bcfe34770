"""What a grading run leaves, written only by the coordinating process.

- gradebook.py: nbgrader's gradebook (SQLite or PostgreSQL);
- journal.py: every result, fsynced, and what it depends on (what to regrade after a change);
- report.py: grades.csv, lms.csv and the feedback pages (feedback.py: the results table and
  notes; notebook_feedback.py: the student's own notebook with each verdict in place);
- manual.py: `manual`, written answers exported to TAs and their points read back;
- late.py: due dates, submission times and late penalties (nbgrader's own columns and plugins).
"""
