"""A user's script, typed: `mypy --strict` must accept it (tests/test_typing.py checks that).

It trains with validation data and a progress bar, as the README shows, and uses lists
where arrays are accepted. Run it with `python tests/typed_user_script.py`.
"""

from __future__ import annotations

import io

import numpy as np

from gdbook import (
    BatchGD,
    Callback,
    History,
    LinearRegression,
    MiniBatchGD,
    ProgressBar,
    Run,
    Trainer,
    make_linear_data,
)


class StopBelow(Callback):
    stop_reason = "good enough"

    def __init__(self, target: float) -> None:
        self.target = target

    def on_epoch_end(self, run: Run) -> bool:
        return run.loss < self.target


def main() -> History:
    X, y = make_linear_data(n_samples=200, n_features=2, seed=0)
    X_val, y_val = make_linear_data(n_samples=50, n_features=2, seed=1)
    model = LinearRegression(n_features=2, seed=0)
    trainer = Trainer(MiniBatchGD(batch_size=16, learning_rate=0.1), epochs=200, seed=0,
                      tol=1e-6, patience=5, restore_best=True, progress=True,
                      callbacks=[StopBelow(0.0), lambda epoch, loss, m: loss < 0.0])
    history = trainer.fit(model, X, y, validation_data=(X_val, y_val))
    predictions: np.ndarray = model.predict([[0.5, 0.5], [1.0, 0.0]])
    r2: float = model.score(X_val.tolist(), list(y_val))
    model.weights = [2.0, 2.0]
    model.params = np.zeros(3)
    out = io.StringIO()
    again = Trainer(BatchGD(learning_rate=0.5), epochs=10,
                    callbacks=[ProgressBar(file=out)]).fit(model, X, y)
    val_loss = history.val_loss[-1] if history.val_loss is not None else float("nan")
    print(f"{history.n_epochs} epochs, val_loss {val_loss:.4f}, R² {r2:.3f}, "
          f"predictions {predictions.round(2)}, {again.stop_reason}")

    from gdbook.sklearn import GDRegressor

    estimator = GDRegressor(variant="batch", epochs=200, random_state=0).fit(X, y)
    coef: np.ndarray = estimator.coef_
    intercept: float = estimator.intercept_
    print(f"GDRegressor: coef {coef.round(2)}, intercept {intercept:.2f}, "
          f"R² {estimator.score(X_val, y_val):.3f}")
    return history


if __name__ == "__main__":
    main()
