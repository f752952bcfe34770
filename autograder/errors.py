"""The one exception the autograder raises for bad input; the CLI prints its message in one line."""


class GradingError(Exception):
    """Input the autograder cannot work with (malformed notebook, unknown assignment, ...)."""
