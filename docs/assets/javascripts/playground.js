// 动手试一试 (docs/playground.md): gdbook's gradient descent, replayed in the browser.
//
// The engine below repeats, step by step and in float64, the arithmetic of
// gdbook's LinearRegression.loss_and_grad, GradientDescent.update and Trainer.fit
// on the data, initial parameters and row orders that gdbook exported into the page
// at build time (<script id="playground-data">). tests/test_playground.py checks its
// per-epoch losses against gdbook's History for the same settings.
//
// No library, no request: the views are SVG drawn here, coloured by CSS variables
// (docs/assets/stylesheets/playground.css) so they follow Material's light/dark scheme.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  // ------------------------------------------------------------------ engine

  /** The row numbers of each epoch, decoded from the base64 uint8 array gdbook wrote. */
  function decodeRows(base64, n) {
    var bytes = Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); });
    var epochs = [];
    for (var start = 0; start < bytes.length; start += n) epochs.push(bytes.subarray(start, start + n));
    return epochs;
  }

  /**
   * The rows epoch `epoch` visits, or null for "in their order": as Trainer.fit with
   * MiniBatchGD(batch_size) and `order` chooses them (gdbook/batching.py iter_batches).
   */
  function rowsOf(data, order, batchSize, epoch) {
    if (order === "replacement") return data.rowsByEpoch.replacement[epoch];
    if (order === "shuffle" && batchSize < data.n) return data.rowsByEpoch.shuffle[epoch];
    return null; // sequential, or one full batch (nothing is drawn)
  }

  /** The learning rate of `epoch` (0-based): gdbook's ConstantLR or InverseScalingLR. */
  function learningRateAt(data, settings, epoch) {
    if (settings.schedule === "constant") return settings.learningRate;
    var s = data.invscaling;
    return settings.learningRate / Math.pow(1.0 + s.decay * epoch, s.power);
  }

  /** gdbook's divergence rule (Trainer.fit), checked after every epoch. */
  function diverges(loss, initialLoss, data) {
    return !isFinite(loss) || loss > data.divergence_ratio * initialLoss;
  }

  /** Mean squared error on all rows, summed in row order as numpy's dot does on one thread. */
  function fullLoss(x, y, w, b) {
    var sum = 0;
    for (var i = 0; i < x.length; i++) {
      var r = x[i] * w + b - y[i];
      sum += r * r;
    }
    return sum / x.length;
  }

  /**
   * Train like Trainer(MiniBatchGD(batch_size, learning_rate, schedule), epochs, seed, order).
   *
   * Returns the per-epoch full-data losses (History.loss), the loss after every update,
   * the path of (w, b) after every update, and, if the run diverged, where (DivergenceError).
   */
  function train(data, settings) {
    var feature = data.features[settings.feature];
    var x = feature.x, y = data.y, n = data.n;
    var k = settings.batchSize, epochs = settings.epochs;
    var stepsPerEpoch = Math.ceil(n / k);
    var maxUpdates = stepsPerEpoch * epochs;
    var path = new Float64Array(2 * (maxUpdates + 1));
    var updateLoss = new Float64Array(maxUpdates);
    var loss = [];
    var w = data.theta0[0], b = data.theta0[1];
    var initialLoss = fullLoss(x, y, w, b);
    var u = 0, diverged = null;
    path[0] = w;
    path[1] = b;
    for (var epoch = 0; epoch < epochs; epoch++) {
      var lr = learningRateAt(data, settings, epoch);
      var rows = rowsOf(data, settings.order, k, epoch);
      for (var start = 0; start < n; start += k) {
        // LinearRegression.loss_and_grad on the batch: r = x w + b - y,
        // dL/dw = (2/m) sum(r x), dL/db = (2/m) sum(r)
        var m = Math.min(k, n - start);
        var sumRx = 0, sumR = 0;
        for (var j = start; j < start + m; j++) {
          var row = rows === null ? j : rows[j];
          var r = x[row] * w + b - y[row];
          sumRx += r * x[row];
          sumR += r;
        }
        // GradientDescent.update: params -= learning_rate * grad
        w = w - lr * ((2 / m) * sumRx);
        b = b - lr * ((2 / m) * sumR);
        path[2 * u + 2] = w;
        path[2 * u + 3] = b;
        updateLoss[u] = fullLoss(x, y, w, b);
        u++;
      }
      var epochLoss = updateLoss[u - 1];
      loss.push(epochLoss);
      if (diverges(epochLoss, initialLoss, data)) {
        diverged = { epoch: epoch, learningRate: lr, loss: epochLoss, bound: feature.bound };
        break;
      }
    }
    return {
      settings: settings,
      loss: loss,
      initialLoss: initialLoss,
      lossStar: feature.loss_star,
      updateLoss: updateLoss.subarray(0, u),
      path: path.subarray(0, 2 * u + 2),
      stepsPerEpoch: stepsPerEpoch,
      diverged: diverged,
    };
  }

  /** Python's format(value, ".6g"). */
  function formatG(value) {
    if (isNaN(value)) return "nan";
    if (!isFinite(value)) return value > 0 ? "inf" : "-inf";
    if (value === 0) return Object.is(value, -0) ? "-0" : "0";
    var parts = value.toExponential(5).split("e");
    var exponent = parseInt(parts[1], 10);
    var strip = function (s) { return s.indexOf(".") < 0 ? s : s.replace(/\.?0+$/, ""); };
    if (exponent < -4 || exponent >= 6) {
      var digits = Math.abs(exponent) < 10 ? "0" + Math.abs(exponent) : String(Math.abs(exponent));
      return strip(parts[0]) + "e" + (exponent < 0 ? "-" : "+") + digits;
    }
    return strip(value.toFixed(5 - exponent));
  }

  /** The message of the DivergenceError that Trainer.fit raises for this run. */
  function divergenceMessage(diverged) {
    return (
      "training diverged at epoch " + diverged.epoch + " (loss=" + formatG(diverged.loss) +
      ") with learning_rate=" + formatG(diverged.learningRate) +
      "; batch gradient descent on this data is stable only for learning_rate < " +
      formatG(diverged.bound) + " (2 / largest eigenvalue of the loss Hessian): lower " +
      "learning_rate, or standardise the features"
    );
  }

  /** The exported data, with the row orders decoded. */
  function readData(script) {
    var data = JSON.parse(script.textContent);
    data.n = data.y.length;
    data.rowsByEpoch = {
      shuffle: decodeRows(data.rows.shuffle, data.n),
      replacement: decodeRows(data.rows.replacement, data.n),
    };
    return data;
  }

  window.gdbookPlayground = {
    readData: readData,
    train: train,
    formatG: formatG,
    divergenceMessage: divergenceMessage,
  };
})();
