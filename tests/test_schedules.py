"""Learning-rate schedules: each value against its formula, worked out by hand where possible."""

import math

import numpy as np
import pytest

from gdbook import (
    BatchGD,
    ConstantLR,
    InverseScalingLR,
    LinearRegression,
    StepDecayLR,
    StochasticGD,
    Trainer,
    make_linear_data,
)
from gdbook.schedules import make_schedule


@pytest.mark.parametrize(
    ("decay", "power", "epoch", "factor"),
    [
        (1.0, 1.0, 0, 1.0),
        (1.0, 1.0, 3, 1 / 4),
        (1.0, 2.0, 1, 1 / 4),  # (1 + 1)^2
        (1.0, 2.0, 3, 1 / 16),  # (1 + 3)^2
        (3.0, 0.5, 1, 1 / 2),  # sqrt(1 + 3)
        (3.0, 0.5, 5, 1 / 4),  # sqrt(1 + 15)
        (0.5, 1.0, 6, 1 / 4),  # 1 + 0.5 * 6
        (0.5, 3.0, 2, 1 / 8),  # (1 + 1)^3
        (0.0, 2.0, 100, 1.0),  # no decay: constant
        (7.5, 0.25, 2, 1 / 2),  # (1 + 15)^(1/4)
    ],
)
def test_inverse_scaling_uses_decay_and_power(decay, power, epoch, factor):
    assert InverseScalingLR(decay=decay, power=power)(0.8, epoch) == pytest.approx(
        0.8 * factor, rel=1e-15
    )


def test_inverse_scaling_defaults_are_one_over_t():
    schedule = InverseScalingLR()
    assert [schedule(1.0, t) for t in range(5)] == [1.0, 1 / 2, 1 / 3, 1 / 4, 1 / 5]
    assert make_schedule("invscaling")(0.3, 9) == pytest.approx(0.03, rel=1e-15)


@pytest.mark.parametrize(("step_size", "gamma"), [(1, 0.5), (3, 0.1), (10, 1.0), (4, 0.25)])
def test_step_decay_drops_by_gamma_every_step_size_epochs(step_size, gamma):
    schedule = StepDecayLR(step_size=step_size, gamma=gamma)
    for epoch in range(4 * step_size + 2):
        drops = epoch // step_size  # epochs 0..step_size-1: none; step_size: one; ...
        assert schedule(2.0, epoch) == pytest.approx(2.0 * gamma**drops, rel=1e-15)
    assert schedule(2.0, step_size - 1) == 2.0  # the last epoch before the first drop
    assert schedule(2.0, step_size) == pytest.approx(2.0 * gamma, rel=1e-15)


def test_step_decay_defaults_and_constant():
    schedule = make_schedule("step")
    assert (schedule.step_size, schedule.gamma) == (10, 0.5)
    assert [schedule(1.0, t) for t in (0, 9, 10, 19, 20)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert ConstantLR()(0.7, 12345) == 0.7
    assert isinstance(make_schedule("constant"), ConstantLR)


def test_a_callable_is_used_as_given():
    def halve(learning_rate, epoch):
        return learning_rate / 2**epoch

    assert make_schedule(halve) is halve


def test_the_trainer_records_the_schedules_rates():
    """Each epoch runs at schedule(learning_rate, epoch): checked through History.learning_rate."""
    X, y = make_linear_data(40, seed=0)
    schedule = InverseScalingLR(decay=0.5, power=2.0)
    history = Trainer(StochasticGD(learning_rate=0.05, schedule=schedule), epochs=6, seed=0).fit(
        LinearRegression(seed=0), X, y)
    expected = [0.05 / (1 + 0.5 * t) ** 2 for t in range(6)]
    np.testing.assert_allclose(history.learning_rate, expected, rtol=1e-15)


def test_the_rate_of_each_epoch_is_the_one_its_steps_take():
    """Batch GD with a schedule equals hand-written steps at the scheduled rates."""
    X, y = make_linear_data(30, seed=1)
    model = LinearRegression(seed=0)
    theta = model.params.copy()
    Trainer(BatchGD(learning_rate=0.4, schedule=InverseScalingLR(decay=2.0, power=0.5)),
            epochs=5).fit(model, X, y)
    A = np.c_[X, np.ones_like(X)]
    for t in range(5):
        rate = 0.4 / math.sqrt(1 + 2.0 * t)
        theta = theta - rate * (2 / len(y)) * A.T @ (A @ theta - y)
    np.testing.assert_allclose(model.params, theta, rtol=1e-12)


@pytest.mark.parametrize(
    ("factory", "error", "match"),
    [
        (lambda: InverseScalingLR(decay=-0.1), ValueError,
         r"decay must be a finite number >= 0, got -0\.1"),
        (lambda: InverseScalingLR(decay=math.inf), ValueError,
         r"decay must be a finite number >= 0, got inf"),
        (lambda: InverseScalingLR(decay=math.nan), ValueError,
         r"decay must be a finite number >= 0, got nan"),
        (lambda: InverseScalingLR(decay="1"), TypeError,
         r"decay must be a real number >= 0, got '1'"),
        (lambda: InverseScalingLR(decay=True), TypeError,
         r"decay must be a real number >= 0, got True"),
        (lambda: InverseScalingLR(power=0), ValueError,
         r"power must be a finite number > 0, got 0; use ConstantLR for a fixed rate"),
        (lambda: InverseScalingLR(power=-1.0), ValueError,
         r"power must be a finite number > 0, got -1\.0"),
        (lambda: StepDecayLR(gamma=0.0), ValueError,
         r"gamma must be a finite number in \(0, 1\], got 0\.0"),
        (lambda: StepDecayLR(gamma=1.5), ValueError,
         r"gamma must be a finite number in \(0, 1\], got 1\.5"),
        (lambda: StepDecayLR(gamma=-0.5), ValueError,
         r"gamma must be a finite number in \(0, 1\], got -0\.5"),
        (lambda: StepDecayLR(gamma=math.nan), ValueError,
         r"gamma must be a finite number in \(0, 1\], got nan"),
        (lambda: StepDecayLR(gamma="0.5"), TypeError,
         r"gamma must be a real number in \(0, 1\], got '0\.5'"),
        (lambda: InverseScalingLR(power=False), TypeError,
         r"power must be a real number > 0, got False"),
        (lambda: StepDecayLR(step_size=0), ValueError,
         r"step_size must be an integer >= 1, got 0"),
        (lambda: StepDecayLR(step_size=2.0), TypeError,
         r"step_size must be an integer >= 1, got 2\.0"),
    ],
)
def test_bad_schedule_arguments(factory, error, match):
    with pytest.raises(error, match=f"^{match}$"):
        factory()


def test_valid_edges_are_accepted():
    assert InverseScalingLR(decay=0, power=1e-9)(1.0, 5) == pytest.approx(1.0)
    assert StepDecayLR(step_size=1, gamma=1)(1.0, 50) == 1.0
    assert InverseScalingLR(decay=np.float32(0.5)).decay == 0.5
    assert type(InverseScalingLR(decay=1).decay) is float


def test_reprs_rebuild_the_same_schedule():
    for schedule in (ConstantLR(), InverseScalingLR(decay=0.25, power=0.75),
                     StepDecayLR(step_size=3, gamma=0.2)):
        again = eval(repr(schedule))  # our own reprs
        assert type(again) is type(schedule) and repr(again) == repr(schedule)
        assert [again(0.1, t) for t in range(7)] == [schedule(0.1, t) for t in range(7)]
    assert repr(InverseScalingLR(decay=0.25, power=0.75)) == (
        "InverseScalingLR(decay=0.25, power=0.75)")
    assert repr(StepDecayLR(step_size=3, gamma=0.2)) == "StepDecayLR(step_size=3, gamma=0.2)"


def test_the_variants_defaults():
    from gdbook import BatchGD, GradientDescent, MiniBatchGD

    assert (GradientDescent().learning_rate, GradientDescent().batch_size) == (0.1, None)
    assert (BatchGD().learning_rate, BatchGD().batch_size) == (0.1, None)
    assert (StochasticGD().learning_rate, StochasticGD().batch_size) == (0.1, 1)
    assert (MiniBatchGD().learning_rate, MiniBatchGD().batch_size) == (0.1, 10)
    for optimizer in (GradientDescent(), BatchGD(), StochasticGD(), MiniBatchGD()):
        assert isinstance(optimizer.schedule, ConstantLR)
