"""The PyTorch chapter's CIFAR-10 challenge, graded with real model files trained here.

The model is the reference solution's build_challenge_model (its cell's code, executed here),
trained on the vendored slice on this CPU; the grader evaluates the handed-in file in a fresh
sandboxed kernel of its own (autograder/judge/handin.py) on views of held-out images that only the
grader has, drawn with the grading seed.
"""
import copy
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from classroom import reference_builder, train_challenge_model

from autograder.judge import handin
from autograder.config import Config
from autograder.grade.submission import grade_notebook
from autograder.notebook import read, write
from autograder.transforms.fill import fill
from dlcourse.challenge import HANDIN_NAME, HandinError, load_state_dict, save_model
from dlcourse.torchkit import to_tensor

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "solutions" / "pytorch" / "pytorch.ipynb"
RELEASED = ROOT / "exercises" / "pytorch" / "pytorch.ipynb"


SEED = 3  # the grading seed of these tests (Config(seed=3)): the views are drawn from it


def heldout_accuracy_of(path, seed=SEED, views=True):
    """The model's accuracy on the grader's views (or on the held-out images themselves)."""
    images, labels = handin.heldout("cifar10-heldout.npz")
    build = reference_builder()
    model = build()
    model.load_state_dict(torch.load(path, weights_only=True))
    model.eval()
    with torch.no_grad():
        predictions = model(to_tensor(handin.views(images, seed) if views else images)).argmax(1).numpy()
    return float(np.mean(predictions == labels))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Real files: a model trained 6 epochs on the slice (CPU, ~15 s), an untrained one, and bad ones."""
    folder = tmp_path_factory.mktemp("models")
    build = reference_builder()
    model = train_challenge_model(epochs=6)
    files = {"trained": save_model(model, folder / "trained.pt"), "untrained": save_model(build(), folder / "untrained.pt")}
    files["truncated"] = folder / "truncated.pt"
    files["truncated"].write_bytes(files["trained"].read_bytes()[:5000])
    files["other_model"] = folder / "other.pt"
    torch.save(torch.nn.Linear(3, 10).state_dict(), files["other_model"])
    files["whole_model"] = folder / "whole.pt"
    torch.save(model, files["whole_model"])  # the module pickled, not its state_dict
    files["payload"] = folder / "payload.pt"
    torch.save(Payload(str(folder / "PAYLOAD-RAN")), files["payload"])
    files["huge"] = folder / "huge.pt"
    with open(files["huge"], "wb") as f:
        f.truncate(2 * 2**30)  # 2 GB, sparse: no disk used
    return files


class Payload:
    """Unpickling this runs `touch marker`: what a malicious hand-in would do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def grade(tmp_path, model_file, root=None, link=False):
    folder = tmp_path / "submission"
    folder.mkdir()
    write(fill(read(RELEASED), read(SOURCE)), folder / "pytorch.ipynb")
    if model_file is not None:
        if link:
            (folder / HANDIN_NAME).symlink_to(model_file)
        else:
            shutil.copyfile(model_file, folder / HANDIN_NAME)
    cfg = Config(cache_dir=str(tmp_path.parent / "grader-cache"), seed=SEED)
    result = grade_notebook(folder / "pytorch.ipynb", "pytorch", root=root, cfg=cfg)
    tests = {t["id"]: t for t in result["tests"]}
    others = [t for t in result["tests"] if t["id"] != "test_challenge" and t["status"] != "manual"]
    assert all(t["status"] == "passed" for t in others), others  # the challenge costs only its own points
    return tests["test_challenge"], result["problems"]


def levels_of(nb):
    [spec] = nb.metadata["dlcourse"]["handin"]
    return spec["judge"]["levels"]


def earned(accuracy, levels):
    return max([f for t, f in levels if accuracy >= t], default=0.0)


def test_a_trained_model_earns_exactly_what_its_accuracy_reaches(tmp_path, models):
    accuracy = heldout_accuracy_of(models["trained"])
    levels = levels_of(read(SOURCE))
    print(f"smoke-trained model: {accuracy:.1%} on the held-out images")
    assert accuracy >= 0.40, "six epochs on the slice reach part marks"
    test, problems = grade(tmp_path, models["trained"])
    assert not problems
    assert test["points"] == pytest.approx(test["max_points"] * earned(accuracy, levels))
    assert 0 < test["points"] < test["max_points"]  # 70 % needs the full data set and a GPU
    assert f"{accuracy:.4g}" in test["message"]


def test_the_same_file_earns_full_points_where_the_instructor_sets_the_bar_at_its_level(tmp_path, models):
    """A course whose instructor notebook asks for the accuracy this CPU-trained model reaches."""
    accuracy = heldout_accuracy_of(models["trained"])
    root = tmp_path / "course"
    nb = copy.deepcopy(read(SOURCE))
    nb.metadata["dlcourse"]["handin"][0]["judge"]["levels"] = [[round(accuracy - 0.02, 4), 1.0], [0.2, 0.5]]
    write(nb, root / "solutions" / "pytorch" / "pytorch.ipynb")
    test, _ = grade(tmp_path, models["trained"], root=root)
    assert test["status"] == "passed" and test["points"] == test["max_points"]


def test_an_untrained_model_earns_nothing(tmp_path, models):
    accuracy = heldout_accuracy_of(models["untrained"])
    assert accuracy < 0.25
    test, _ = grade(tmp_path, models["untrained"])
    assert test["points"] == 0 and "earns 0 of the points" in test["message"]


@pytest.mark.parametrize("name, message", [
    (None, "no challenge_model.pt was handed in"),
    ("truncated", "not a file saved by torch.save"),
    ("other_model", "does not fit build_challenge_model()"),
    ("whole_model", "holds more than tensors"),
    ("payload", "holds more than tensors"),
    ("huge", "no challenge_model.pt"),
])
def test_a_bad_file_gets_a_clear_message_and_zero_for_the_challenge_only(tmp_path, models, name, message):
    test, problems = grade(tmp_path, models[name] if name else None)
    assert test["points"] == 0 and message in test["message"], test
    if name == "huge":
        assert any("over the limit of 20 MB" in p for p in problems), problems
    if name is None:
        assert any("not handed in" in p for p in problems)


def test_a_link_is_not_followed(tmp_path, models):
    test, problems = grade(tmp_path, models["trained"], link=True)
    assert test["points"] == 0 and any("not a regular file" in p for p in problems)


def test_loading_refuses_code_without_running_it_and_big_files_without_reading_them(models):
    marker = models["payload"].parent / "PAYLOAD-RAN"
    with pytest.raises(HandinError, match="holds more than tensors") as info:
        load_state_dict(models["payload"])
    assert info.value.code == 4 and not marker.exists()
    torch.load(models["payload"], weights_only=False)  # the same file without weights_only: the code runs
    assert marker.exists()
    with pytest.raises(HandinError, match="larger than the limit") as info:
        load_state_dict(models["huge"])
    assert info.value.code == 2
    assert set(load_state_dict(models["trained"])) == set(reference_builder()().state_dict())
