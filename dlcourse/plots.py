"""Plots shared by the chapters and exercises."""
import matplotlib.pyplot as plt


def plot_histories(solvers, title=""):
    """Training loss (per iteration) and train/validation accuracy (per epoch) of several Solvers.

    Inputs:
    - solvers: dict name -> trained dlcourse.solver.Solver.

    Returns the matplotlib Figure.
    """
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for name, s in solvers.items():
        axes[0].plot(s.loss_history, ".", markersize=2, alpha=0.6, label=name)
        axes[1].plot(s.train_acc_history, "-o", label=name)
        axes[2].plot(s.val_acc_history, "-o", label=name)
    for ax, t, xl in zip(axes, ("Training loss", "Training accuracy", "Validation accuracy"),
                         ("Iteration", "Epoch", "Epoch")):
        ax.set_title(t)
        ax.set_xlabel(xl)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
