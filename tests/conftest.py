"""Shared fixtures: the course's own notebooks, and a released notebook filled with answers."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DLCOURSE_MODE", "smoke")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def source_nb():
    from autograder.notebook import read
    return read(ROOT / "solutions" / "optimizers" / "optimizers.ipynb")


@pytest.fixture(scope="session")
def released_nb():
    from autograder.notebook import read
    return read(ROOT / "exercises" / "optimizers" / "optimizers.ipynb")


@pytest.fixture(scope="session")
def grading_config(tmp_path_factory):
    """Grading settings for tests: a private reference cache, two workers."""
    from autograder.config import Config
    return Config(cache_dir=str(tmp_path_factory.mktemp("grader-cache")), workers=2)
