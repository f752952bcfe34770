"""nbgrader's view of this course: instructor notebooks in solutions/, student versions in exercises/.

The course's own tooling (python -m autograder) follows the same layout; this file lets
nbgrader's own apps (formgrader, `nbgrader generate_assignment`, `nbgrader export --db
sqlite:///OUT_DIR/gradebook.db`) work on the repository too. The root is this file's folder, as an
absolute path (nbgrader warns "root '.' is not absolute" otherwise), whatever the working folder.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
