"""dlcourse: the student library of the open deep-learning course.

Notebooks import, the library implements: everything the exercises *give* the student lives
here (numeric checks, data, the given nets and the Solver, run-mode and device helpers, the
visible checks, the challenge's hand-in, the hidden tests' record channel). Nothing here is a solution: the reference solutions
live only in ``solutions/`` of the course repository. It holds only what the students'
notebooks import and what that needs; nothing here imports the grader (``autograder``), the
book or the tests (tests/test_layout.py checks both).

Public API: per module, the names the released notebooks (exercises/*/*.ipynb) import
(tests/test_layout.py checks this list against the notebooks and the modules):

    dlcourse                 __version__, check_version, rel_error
    dlcourse.challenge       HANDIN_LIMIT_MB, HANDIN_NAME, evaluate_handin, save_model
    dlcourse.checks          check_update_rule
    dlcourse.data            get_cifar10_data, load_cifar10
    dlcourse.dropout_checks  check_backward, check_forward, check_module, check_seed
    dlcourse.fc_net          FullyConnectedNet
    dlcourse.norm_checks     check_backward_alt, check_gradients, check_module, check_test_mode, check_train_stats
    dlcourse.plots           plot_histories
    dlcourse.resnet_checks   CountingOptimizer, ModeSpy, ScriptedModel, count_parameters, index_batches, write_cifar_batch
    dlcourse.resnet          OptionAShortcut, TensorBatches, checkpoint_dir, evaluate, load_checkpoint, paper_recipe, save_checkpoint, train
    dlcourse.runtime         by_mode, device, mode, seed_everything, train_epochs
    dlcourse.solver          Solver
    dlcourse.torchkit        Functional, check_accuracy, check_levels_agree, check_random_weight, check_three_layer_convnet, cifar10_loaders, train_part

Used by those, not imported by the notebooks: gradient_check (numeric gradients; its
eval_numerical_gradient and eval_numerical_gradient_array are also here), layers (the given
layers of fc_net), optim (the Solver's plain sgd), stats (the dropout checks' exact binomial
bounds). The hidden tests' record channel (grading: record, grading_rng) is here because the
visible checks record too; the hidden tests' probes and the grader's checks are not: they live
in the instructors' autograder/chapters/<chapter>/, never shipped to students.

No longer here (issue 18: code only the book or a benchmark uses lives with the book):

- ``dlcourse.study`` (StudyNet, train_study): book/resnet/study.py, beside the ResNet page;
- ``dlcourse.bench_resnet``: book/resnet/bench_resnet.py (``python book/resnet/bench_resnet.py``);
- ``dlcourse.normalization`` (the torch-backed batch/layer norm): book/normalization/torch_layers.py;
- ``dlcourse.torchkit``'s images_per_second, demo_convnet and ``python -m dlcourse.torchkit``:
  book/pytorch/throughput.py (``python book/pytorch/throughput.py``);
- ``dlcourse.runtime``'s provenance and Provenance: book/_lib/provenance.py (every chapter's note).
"""
__version__ = "0.1.0"

from .gradient_check import rel_error, eval_numerical_gradient, eval_numerical_gradient_array  # noqa: E402,F401


def check_version(expected):
    """Raise a clear error when the installed library is not the version a notebook was released for.

    Inputs:
    - expected: version string stamped into the notebook's setup cell by ``autograder release``.
    """
    if expected != __version__:
        raise RuntimeError(
            f"This notebook was released for dlcourse {expected}, but dlcourse {__version__} is "
            f"installed. In Colab, re-run the setup cell; locally, in your clone of the course, run "
            f"`git checkout v{expected}` and `.venv/bin/pip install -r requirements.txt` again (or open "
            "the notebook of the release you have)."
        )
    return __version__
