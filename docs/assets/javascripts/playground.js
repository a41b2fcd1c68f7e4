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
  // --8<-- [start:engine]

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

  /** gdbook's divergence guard (DivergenceGuard), rule 1: checked after every epoch. */
  function diverges(loss, initialLoss, data) {
    return !isFinite(loss) || loss > data.divergence_ratio * Math.max(initialLoss, data.var_y);
  }

  /** Rule 2, when the run ends: above its start and far above the variance of y. */
  function endsDiverged(loss, initialLoss, data) {
    return loss > Math.max(initialLoss, data.final_divergence_ratio * data.var_y);
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
        diverged = { epoch: epoch, learningRate: lr, loss: epochLoss, atEnd: false };
        break;
      }
    }
    if (!diverged && endsDiverged(loss[loss.length - 1], initialLoss, data)) {
      diverged = { epoch: epochs - 1, learningRate: lr, loss: loss[loss.length - 1], atEnd: true };
    }
    if (diverged) {
      // the bound DivergenceError quotes: batch GD's, or the worst batch's of the variant in use
      var rows = k >= n && settings.order !== "replacement" ? null : k;
      diverged.batchSize = rows;
      diverged.initialLoss = initialLoss;
      diverged.batchBound = feature.bound;
      diverged.bound = rows === null ? feature.bound
        : feature.worst_batch[settings.order === "replacement" ? 0 : k - 1];
      diverged.advice = feature.advice;
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

  // --8<-- [end:engine]

  /** Python's format(value, ".6g"), or ".{precision}g". */
  function formatG(value, precision) {
    var p = precision || 6;
    if (isNaN(value)) return "nan";
    if (!isFinite(value)) return value > 0 ? "inf" : "-inf";
    if (value === 0) return Object.is(value, -0) ? "-0" : "0";
    var parts = value.toExponential(p - 1).split("e");
    var exponent = parseInt(parts[1], 10);
    var strip = function (s) { return s.indexOf(".") < 0 ? s : s.replace(/\.?0+$/, ""); };
    if (exponent < -4 || exponent >= p) {
      var digits = Math.abs(exponent) < 10 ? "0" + Math.abs(exponent) : String(Math.abs(exponent));
      return strip(parts[0]) + "e" + (exponent < 0 ? "-" : "+") + digits;
    }
    return strip(value.toFixed(p - 1 - exponent));
  }

  /** The message of the DivergenceError that Trainer.fit raises for this run (exceptions.py). */
  function divergenceMessage(diverged) {
    var growth = diverged.initialLoss > 0 && isFinite(diverged.loss)
      ? ", " + formatG(diverged.loss / diverged.initialLoss, 3) + " x the initial loss" : "";
    var message = (diverged.atEnd ? "training ended" : "training diverged") + " at epoch " +
      diverged.epoch + " (loss=" + formatG(diverged.loss) + growth + ") with learning_rate=" +
      formatG(diverged.learningRate);
    if (diverged.atEnd) message += ", above where it started and far above the variance of y: it diverged";
    if (diverged.batchSize === null) {
      return message + "; batch gradient descent on this data is stable only for learning_rate < " +
        formatG(diverged.bound) + " (2 / largest eigenvalue of the loss Hessian): " + diverged.advice;
    }
    var rows = diverged.batchSize === 1 ? "one row" : "batches of " + diverged.batchSize + " rows";
    return message + "; steps on " + rows + " of this data are stable for every batch only when " +
      "learning_rate < " + formatG(diverged.bound) + " (see gdbook.worst_batch_learning_rate); " +
      "batch gradient descent's bound " + formatG(diverged.batchBound) +
      " (2 / largest eigenvalue of the loss Hessian) does not apply to them: " + diverged.advice;
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

  // ------------------------------------------------------------------ drawing

  var FLOOR = 1e-15; // L - L* below this is rounding noise: drawn on a floor line
  var SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  var THUMB = 18; // px, the range thumb's width in playground.css

  function node(tag, attrs, parent, text) {
    var el = document.createElementNS(SVG_NS, tag);
    for (var key in attrs) el.setAttribute(key, attrs[key]);
    if (text !== undefined) el.textContent = text;
    if (parent) parent.appendChild(el);
    return el;
  }

  function svgRoot(container, width, height, title) {
    container.textContent = "";
    var svg = node("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img" }, container);
    var id = container.id + "-title";
    node("title", { id: id }, svg, title);
    svg.setAttribute("aria-labelledby", id);
    return svg;
  }

  function powerOfTen(exponent) {
    return "10" + String(exponent).split("").map(function (c) { return SUPERSCRIPT[c]; }).join("");
  }

  /** A number for people: 3 significant digits, or a power-of-ten form when tiny or huge. */
  function short(value) {
    if (!isFinite(value)) return String(value);
    if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) {
      var parts = value.toExponential(1).split("e");
      return parts[0] + "×" + powerOfTen(parseInt(parts[1], 10));
    }
    return String(Number(value.toPrecision(3)));
  }

  function niceStep(span, count) {
    var raw = span / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }

  function linearScale(lo, hi, a, b) {
    return function (v) { return a + (v - lo) / (hi - lo) * (b - a); };
  }

  function logScale(lo, hi, a, b) {
    var l0 = Math.log10(lo), l1 = Math.log10(hi);
    return function (v) { return a + (Math.log10(v) - l0) / (l1 - l0) * (b - a); };
  }

  /**
   * An SVG path through (x, y) pixel pairs, broken where y is null. Points closer than
   * half a pixel to the last one drawn are skipped, and a run of points in one pixel
   * column keeps only its first, lowest, highest and last: the picture is the same,
   * the path much shorter (10 000 updates fit in a few hundred columns).
   */
  function pathData(xs, ys) {
    var out = "", pen = "M", lastX = NaN, lastY = NaN, i = 0, n = xs.length;
    function put(k) {
      var x = xs[k], y = ys[k];
      if (pen === "L" && Math.abs(x - lastX) < 0.5 && Math.abs(y - lastY) < 0.5) return;
      out += pen + Math.round(x * 10) / 10 + " " + Math.round(y * 10) / 10;
      pen = "L";
      lastX = x;
      lastY = y;
    }
    while (i < n) {
      if (ys[i] === null) { pen = "M"; i++; continue; }
      var column = Math.round(xs[i]), j = i, lo = i, hi = i;
      while (j + 1 < n && ys[j + 1] !== null && Math.round(xs[j + 1]) === column) {
        j++;
        if (ys[j] < ys[lo]) lo = j;
        if (ys[j] > ys[hi]) hi = j;
      }
      put(i);
      put(Math.min(lo, hi));
      put(Math.max(lo, hi));
      put(j);
      i = j + 1;
    }
    return out;
  }

  var SERIES = { // the faint runs drawn for comparison
    sgd: { label: "k = 1（随机）", batchSize: 1 },
    article: { label: "k = 10（原文）", batchSize: 10 },
    batch: { label: "k = 100（批量）", batchSize: 100 },
  };

  /** One panel of the loss chart: excess loss (log) against epochs or updates. */
  function lossPanel(svg, box, opts) {
    var g = node("g", { class: "gd-pg-panel" }, svg);
    var clipId = svg.parentNode.id + "-clip-" + opts.key;
    node("rect", { x: box.x, y: box.y, width: box.w, height: box.h }, node("clipPath", { id: clipId }, g));
    var y = logScale(opts.yLo, opts.yHi, box.y + box.h, box.y);
    var x = opts.xLog ? logScale(1, opts.xHi, box.x, box.x + box.w)
                      : linearScale(0, opts.xHi, box.x, box.x + box.w);
    // grid and y labels: every decade, labelled every `every` decades
    var d0 = Math.round(Math.log10(opts.yLo)), d1 = Math.round(Math.log10(opts.yHi));
    var every = Math.max(1, Math.ceil((d1 - d0) / Math.max(2, Math.floor(box.h / 34))));
    for (var d = d0; d <= d1; d++) {
      if ((d - d0) % every) continue;
      var yy = y(Math.pow(10, d));
      node("line", { class: "gd-pg-grid", x1: box.x, x2: box.x + box.w, y1: yy, y2: yy }, g);
      if (opts.yLabels) node("text", { class: "gd-pg-tick", x: box.x - 5, y: yy, "text-anchor": "end", "dominant-baseline": "middle" }, g, powerOfTen(d));
    }
    // x ticks
    var ticks = [];
    if (opts.xLog) {
      for (var p = 1; p <= opts.xHi * 1.0001; p *= 10) ticks.push(p);
    } else {
      var step = niceStep(opts.xHi, Math.max(2, Math.floor(box.w / 60)));
      for (var t = 0; t <= opts.xHi + 1e-9; t += step) ticks.push(t);
    }
    ticks.forEach(function (t) {
      var xx = x(t);
      node("line", { class: "gd-pg-grid", x1: xx, x2: xx, y1: box.y, y2: box.y + box.h }, g);
      node("text", { class: "gd-pg-tick", x: xx, y: box.y + box.h + 14, "text-anchor": "middle" }, g,
           opts.xLog ? powerOfTen(Math.round(Math.log10(t))) : String(t));
    });
    node("rect", { class: "gd-pg-frame", x: box.x, y: box.y, width: box.w, height: box.h }, g);
    if (opts.yLo < FLOOR) {
      node("text", { class: "gd-pg-note", x: box.x + box.w - 4, y: y(FLOOR) - 5, "text-anchor": "end" }, g, "≤ " + powerOfTen(Math.log10(FLOOR)) + "：舍入误差");
    }
    node("text", { class: "gd-pg-axis", x: box.x + box.w / 2, y: box.y + box.h + 31, "text-anchor": "middle" }, g, opts.xLabel);
    node("text", { class: "gd-pg-panel-title", x: box.x + box.w / 2, y: box.y - 12, "text-anchor": "middle" }, g, opts.title);
    var curves = node("g", { "clip-path": "url(#" + clipId + ")" }, g);
    opts.series.forEach(function (s) {
      var xs = [], ys = [];
      for (var i = 0; i < s.x.length; i++) {
        var v = s.y[i];
        xs.push(x(s.x[i]));
        // beyond the top: drawn just past the edge (clipped); below the floor: on the floor
        ys.push(isNaN(v) ? null : v > opts.yHi || !isFinite(v) ? box.y - 4 : y(Math.max(v, FLOOR, opts.yLo)));
      }
      node("path", { class: "gd-pg-line gd-pg-line--" + s.key, d: pathData(xs, ys) }, curves);
      if (s.diverged) {
        var last = xs.length - 1, cy = ys[last] === null || ys[last] < box.y ? box.y + 8 : ys[last];
        node("text", { class: "gd-pg-burst gd-pg-burst--" + s.key, x: xs[last], y: cy, "text-anchor": "middle", "dominant-baseline": "middle" }, g, "✕");
      }
    });
  }

  function excessSeries(run, key, byUpdate) {
    var xs = [], ys = [];
    if (byUpdate) {
      if (key === "main") {
        for (var u = 0; u < run.updateLoss.length; u++) { xs.push(u + 1); ys.push(run.updateLoss[u] - run.lossStar); }
      } else {
        run.loss.forEach(function (l, e) { xs.push((e + 1) * run.stepsPerEpoch); ys.push(l - run.lossStar); });
      }
    } else {
      xs.push(0);
      ys.push(run.initialLoss - run.lossStar);
      run.loss.forEach(function (l, e) { xs.push(e + 1); ys.push(l - run.lossStar); });
    }
    return { key: key, x: xs, y: ys, diverged: !!run.diverged };
  }

  function drawLossChart(container, width, runs, epochs) {
    width = Math.max(280, width);
    var side = width >= 560;
    var panelH = side ? 240 : 200, left = 46, right = 12, top = 34, bottom = 40, gap = 24;
    var height = side ? top + panelH + bottom : 2 * (top + panelH + bottom);
    var svg = svgRoot(container, width, height, "损失超出最优值的部分 L − L*，按轮数和按更新次数");
    var keys = Object.keys(runs);
    var lo = Infinity, hi = 0, maxUpdates = 1, floored = false;
    keys.forEach(function (key) {
      var run = runs[key];
      var see = function (l) {
        var v = l - run.lossStar;
        if (isFinite(v) && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (v < FLOOR) floored = true;
      };
      see(run.initialLoss);
      run.loss.forEach(see);
      if (key === "main") run.updateLoss.forEach(see);
      maxUpdates = Math.max(maxUpdates, run.loss.length * run.stepsPerEpoch);
    });
    var ceiling = 1e6 * Math.max(1e-300, runs.main.initialLoss); // the divergence rule's scale
    hi = Math.min(Math.max(hi, 10 * FLOOR), ceiling);
    lo = Math.max(Math.min(lo, hi / 10), FLOOR);
    var yLo = Math.pow(10, Math.floor(Math.log10(lo))), yHi = Math.pow(10, Math.ceil(Math.log10(hi)));
    if (yHi / yLo < 100) yLo = yHi / 100;
    if (floored) yLo = Math.min(yLo, FLOOR / 10); // keep the floor line off the frame
    var w = side ? (width - left - right - gap - left) / 2 : width - left - right;
    var boxes = side
      ? [{ x: left, y: top, w: w, h: panelH }, { x: 2 * left + w + gap, y: top, w: w, h: panelH }]
      : [{ x: left, y: top, w: w, h: panelH }, { x: left, y: 2 * top + panelH + bottom, w: w, h: panelH }];
    var order = keys.filter(function (k) { return k !== "main"; }).concat(["main"]);
    lossPanel(svg, boxes[0], {
      key: "epoch", title: "按轮数", xLabel: "轮数（epoch）", xHi: epochs, yLo: yLo, yHi: yHi, yLabels: true,
      series: order.map(function (k) { return excessSeries(runs[k], k, false); }),
    });
    lossPanel(svg, boxes[1], {
      key: "update", title: "按更新次数", xLabel: "参数更新次数", xLog: true, xHi: Math.max(10, maxUpdates),
      yLo: yLo, yHi: yHi, yLabels: !side,
      series: order.map(function (k) { return excessSeries(runs[k], k, true); }),
    });
    boxes.forEach(function (box, i) {
      if (i === 0 || !side) node("text", { class: "gd-pg-axis", x: 2, y: box.y - 12 }, svg, "L − L*");
    });
  }

  function eigen2(h) {
    var a = h[0][0], b = h[0][1], d = h[1][1];
    var mean = (a + d) / 2, r = Math.sqrt(((a - d) / 2) * ((a - d) / 2) + b * b);
    var l1 = mean + r, l2 = mean - r;
    var v1 = Math.abs(b) > 1e-12 * (Math.abs(a) + Math.abs(d)) ? [l1 - d, b] : a >= d ? [1, 0] : [0, 1];
    var norm = Math.hypot(v1[0], v1[1]);
    v1 = [v1[0] / norm, v1[1] / norm];
    return { values: [l1, l2], vectors: [v1, [-v1[1], v1[0]]] };
  }

  /**
   * The still parts of the path view (axes, contours, θ0 and θ*), drawn once per feature
   * scaling and width; `drawTrajectory` then only replaces the path of the run.
   */
  function pathFrame(container, width, feature, theta0) {
    width = Math.min(Math.max(280, width), 560);
    var left = 46, right = 14, top = 14, bottom = 40;
    var size = width - left - right;
    var svg = svgRoot(container, width, top + size + bottom, "参数 (w, b) 的路径与损失的等高线");
    var star = feature.theta_star, half = 1.15 * Math.max(Math.abs(theta0[0] - star[0]), Math.abs(theta0[1] - star[1]));
    var x = linearScale(star[0] - half, star[0] + half, left, left + size);
    var y = linearScale(star[1] - half, star[1] + half, top + size, top);
    var clip = node("clipPath", { id: "pg-path-clip" }, svg);
    node("rect", { x: left, y: top, width: size, height: size }, clip);
    var step = niceStep(2 * half, Math.max(3, Math.floor(size / 70)));
    for (var t = Math.ceil((star[0] - half) / step) * step; t <= star[0] + half; t += step) {
      node("line", { class: "gd-pg-grid", x1: x(t), x2: x(t), y1: top, y2: top + size }, svg);
      node("text", { class: "gd-pg-tick", x: x(t), y: top + size + 14, "text-anchor": "middle" }, svg, short(Math.abs(t) < 1e-9 ? 0 : t));
    }
    for (t = Math.ceil((star[1] - half) / step) * step; t <= star[1] + half; t += step) {
      node("line", { class: "gd-pg-grid", x1: left, x2: left + size, y1: y(t), y2: y(t) }, svg);
      node("text", { class: "gd-pg-tick", x: left - 5, y: y(t), "text-anchor": "end", "dominant-baseline": "middle" }, svg, short(Math.abs(t) < 1e-9 ? 0 : t));
    }
    node("text", { class: "gd-pg-axis", x: left + size / 2, y: top + size + 31, "text-anchor": "middle" }, svg, "斜率 w");
    node("text", { class: "gd-pg-axis", x: 12, y: top + size / 2, transform: "rotate(-90 12 " + (top + size / 2) + ")", "text-anchor": "middle" }, svg, "截距 b");
    var inside = node("g", { "clip-path": "url(#pg-path-clip)" }, svg);
    // contours of L(θ) = L* + (θ - θ*)ᵀ H (θ - θ*) / 2: ellipses, 4x apart in L - L*
    var h = feature.hessian, eig = eigen2(h), d = [theta0[0] - star[0], theta0[1] - star[1]];
    var start = 0.5 * (d[0] * (h[0][0] * d[0] + h[0][1] * d[1]) + d[1] * (h[1][0] * d[0] + h[1][1] * d[1]));
    for (var j = 3; j >= -6; j--) {
      var level = start * Math.pow(4, j), xs = [], ys = [];
      var r1 = Math.sqrt(2 * level / eig.values[0]), r2 = Math.sqrt(2 * level / eig.values[1]);
      for (var i = 0; i <= 96; i++) {
        var a = (2 * Math.PI * i) / 96, c = r1 * Math.cos(a), s = r2 * Math.sin(a);
        xs.push(x(star[0] + c * eig.vectors[0][0] + s * eig.vectors[1][0]));
        ys.push(y(star[1] + c * eig.vectors[0][1] + s * eig.vectors[1][1]));
      }
      node("path", { class: "gd-pg-contour", d: pathData(xs, ys) + "Z" }, inside);
    }
    var line = node("path", { class: "gd-pg-line gd-pg-line--main gd-pg-trajectory" }, inside);
    var end = node("circle", { class: "gd-pg-end", r: 3.5 }, inside);
    node("circle", { class: "gd-pg-start", cx: x(theta0[0]), cy: y(theta0[1]), r: 5 }, inside);
    node("path", { class: "gd-pg-star", d: "M" + (x(star[0]) - 7) + " " + y(star[1]) + "h14M" + x(star[0]) + " " + (y(star[1]) - 7) + "v14" }, inside);
    node("text", { class: "gd-pg-label", x: x(star[0]) + 8, y: y(star[1]) - 8 }, inside, "θ*");
    node("text", { class: "gd-pg-label", x: x(theta0[0]) + 8, y: y(theta0[1]) + 16 }, inside, "起点");
    node("rect", { class: "gd-pg-frame", x: left, y: top, width: size, height: size }, svg);
    return { x: x, y: y, left: left, top: top, size: size, line: line, end: end };
  }

  /** The run's path of (w, b), one point per update; cut where it flies far off (divergence). */
  function drawTrajectory(frame, run) {
    var px = [], py = [], far = 50 * frame.size, gone = false, outside = false;
    var lo = frame.left, hi = frame.left + frame.size, top = frame.top, bottom = frame.top + frame.size;
    for (var u = 0; u < run.path.length / 2; u++) {
      var X = frame.x(run.path[2 * u]), Y = frame.y(run.path[2 * u + 1]);
      if (!(Math.abs(X) < far && Math.abs(Y) < far)) { gone = true; break; }
      if (X < lo || X > hi || Y < top || Y > bottom) outside = true;
      px.push(X);
      py.push(Y);
    }
    frame.line.setAttribute("d", pathData(px, py));
    var n = px.length - 1;
    frame.end.setAttribute("cx", px[n]);
    frame.end.setAttribute("cy", py[n]);
    frame.end.setAttribute("visibility", gone ? "hidden" : "visible");
    return { line: frame.line, outside: gone || outside };
  }

  /** The learning-rate scale under the slider: decades, the bound, the current η. */
  function drawScale(svg, width, slider, bound) {
    if (!width) return;
    var lo = parseFloat(slider.min), hi = parseFloat(slider.max);
    var x = function (v) { return THUMB / 2 + (Math.log10(v) - lo) / (hi - lo) * (width - THUMB); };
    svg.textContent = "";
    svg.setAttribute("width", width);
    svg.setAttribute("height", 44);
    node("rect", { class: "gd-pg-unstable", x: x(bound), y: 2, width: Math.max(0, x(Math.pow(10, hi)) - x(bound)), height: 6 }, svg);
    for (var d = Math.ceil(lo); d <= hi; d++) {
      node("line", { class: "gd-pg-grid-strong", x1: x(Math.pow(10, d)), x2: x(Math.pow(10, d)), y1: 2, y2: 10 }, svg);
      node("text", { class: "gd-pg-tick", x: x(Math.pow(10, d)), y: 22, "text-anchor": "middle" }, svg, String(Math.pow(10, d)));
    }
    node("line", { class: "gd-pg-bound", x1: x(bound), x2: x(bound), y1: 0, y2: 42 }, svg);
    var right = x(bound) > width - 150;
    var label = node("text", { class: "gd-pg-bound-label", x: x(bound) + (right ? -5 : 5), y: 39, "text-anchor": right ? "end" : "start" }, svg, "2/λ");
    node("tspan", { "baseline-shift": "sub", "font-size": "75%" }, label, "max");
    node("tspan", {}, label, " = " + short(bound));
  }

  // ------------------------------------------------------------------ controls

  function roundRate(value) { return Number(value.toPrecision(3)); }

  function gridRateAtLeast(value) { // the smallest slider value >= value
    var v = Math.ceil(Math.log10(value) * 100 - 1e-9) / 100;
    var rate = roundRate(Math.pow(10, v));
    return rate >= value ? rate : roundRate(Math.pow(10, v + 0.01));
  }

  function gridRateAtMost(value) { // the largest slider value <= value
    var v = Math.floor(Math.log10(value) * 100 + 1e-9) / 100;
    var rate = roundRate(Math.pow(10, v));
    return rate <= value ? rate : roundRate(Math.pow(10, v - 0.01));
  }

  function describeBatch(k, order, n) {
    if (k === 1) return "随机梯度下降";
    if (k === n) return order === "replacement" ? "每步 n 次有放回抽样，不是批量梯度下降" : "批量梯度下降";
    return k === 10 ? "小批量，原文的设置" : "小批量";
  }

  function Playground(root, data) {
    var $ = function (id) { return root.querySelector("#" + id); };
    var controls = {
      lr: $("pg-lr"), lrNumber: $("pg-lr-number"), batch: $("pg-batch"), epochs: $("pg-epochs"),
      order: $("pg-order"), feature: $("pg-feature"), schedule: $("pg-schedule"),
    };
    var figure = $("pg-loss-figure"), memo = new Map(), widths = {}, frame = null;

    // Widths are read once and on resize only: reading them during a redraw, after the
    // DOM changed, would force the browser to lay the page out again each time.
    function measure() {
      widths.loss = $("pg-loss-chart").clientWidth;
      widths.path = $("pg-path-chart").clientWidth;
      widths.slider = controls.lr.getBoundingClientRect().width;
      widths.root = root.clientWidth;
    }
    var state = {
      learningRate: parseFloat(controls.lrNumber.value), batchSize: parseInt(controls.batch.value, 10),
      epochs: parseInt(controls.epochs.value, 10), order: controls.order.value,
      feature: controls.feature.value, schedule: controls.schedule.value,
    };

    function run(settings) {
      var key = JSON.stringify(settings);
      if (!memo.has(key)) {
        if (memo.size > 24) memo.clear();
        memo.set(key, train(data, settings));
      }
      return memo.get(key);
    }

    function sync() {
      controls.lr.value = Math.log10(state.learningRate).toFixed(2);
      controls.lr.setAttribute("aria-valuetext", "η = " + state.learningRate);
      if (parseFloat(controls.lrNumber.value) !== state.learningRate) controls.lrNumber.value = state.learningRate;
      controls.batch.value = state.batchSize;
      controls.batch.setAttribute("aria-valuetext", "k = " + state.batchSize + "（" + describeBatch(state.batchSize, state.order, data.n) + "）");
      $("pg-batch-value").textContent = state.batchSize;
      controls.epochs.value = state.epochs;
      controls.epochs.setAttribute("aria-valuetext", state.epochs + " 轮");
      $("pg-epochs-value").textContent = state.epochs;
      controls.order.value = state.order;
      controls.feature.value = state.feature;
      controls.schedule.value = state.schedule;
      root.querySelectorAll("[data-batch]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(parseInt(b.dataset.batch, 10) === state.batchSize));
      });
      var s = data.invscaling;
      $("pg-schedule-help").textContent = state.schedule === "constant"
        ? "每轮都用 η。"
        : "第 t 轮（从 0 数起）用 η / (1 + " + (s.decay === 1 ? "" : s.decay + "·") + "t)" +
          (s.power === 1 ? "" : "^" + s.power) +
          "：gdbook 的 schedule=\"invscaling\"。";
    }

    function redraw() {
      var main = run(state), feature = data.features[state.feature];
      var runs = { main: main };
      ["sgd", "article", "batch"].forEach(function (key) {
        var k = SERIES[key].batchSize;
        var settings = Object.assign({}, state, { batchSize: k, order: key === "batch" ? "sequential" : state.order });
        var same = k === state.batchSize && (key !== "batch" || state.order !== "replacement");
        if (!same) runs[key] = run(settings);
      });
      drawLossChart($("pg-loss-chart"), widths.loss, runs, state.epochs);
      var frameKey = state.feature + " " + widths.path + " " + widths.slider;
      if (!frame || frame.key !== frameKey) {
        frame = pathFrame($("pg-path-chart"), widths.path, feature, data.theta0);
        frame.key = frameKey;
        drawScale($("pg-lr-scale"), widths.slider, controls.lr, feature.bound);
      }
      var pathView = drawTrajectory(frame, main);
      legend(runs);
      status(main, feature, pathView.outside);
      figure.dataset.loss = JSON.stringify(main.loss.map(function (v) { return isFinite(v) ? v : null; }));
      figure.dataset.initialLoss = JSON.stringify(main.initialLoss);
      figure.dataset.learningRate = String(state.learningRate);
      figure.dataset.batchSize = String(state.batchSize);
      figure.dataset.epochs = String(state.epochs);
      figure.dataset.order = state.order;
      figure.dataset.feature = state.feature;
      figure.dataset.schedule = state.schedule;
      figure.dataset.divergedEpoch = main.diverged ? String(main.diverged.epoch) : "";
    }

    function legend(runs) {
      var list = $("pg-legend");
      list.textContent = "";
      Object.keys(runs).forEach(function (key) {
        var item = document.createElement("li");
        var sample = node("svg", { width: 30, height: 10, "aria-hidden": "true", focusable: "false" }, item);
        node("line", { class: "gd-pg-line gd-pg-line--" + key, x1: 1, x2: 29, y1: 5, y2: 5 }, sample);
        var text = key === "main"
          ? "当前：k = " + state.batchSize + "（" + describeBatch(state.batchSize, state.order, data.n) + "）"
          : SERIES[key].label;
        if (runs[key].diverged) text += "，第 " + (runs[key].diverged.epoch + 1) + " 轮后发散 ✕";
        item.appendChild(document.createTextNode(text));
        list.appendChild(item);
      });
    }

    function status(main, feature, outside) {
      var ratio = state.learningRate / feature.bound;
      var updates = main.loss.length * main.stepsPerEpoch;
      var text = "η = " + state.learningRate + "，是批量梯度下降上界 2/λmax = " + short(feature.bound) +
        " 的 " + (ratio < 0.1 ? ratio.toFixed(3) : ratio.toFixed(2)) + " 倍。k = " + state.batchSize +
        "：每轮 " + main.stepsPerEpoch + " 次更新。";
      var box = $("pg-diverged");
      if (main.diverged) {
        var dv = main.diverged;
        text += "训练在第 " + (dv.epoch + 1) + " 轮后发散（共 " + updates + " 次更新）。";
        $("pg-diverged-text").textContent = dv.atEnd
          ? "发散：训练跑完了 " + (dv.epoch + 1) + " 轮，最后全部数据上的损失是 " + short(dv.loss) +
            "，比初始损失 " + short(main.initialLoss) + " 还高，也超过了 y 的方差的 " +
            short(data.final_divergence_ratio) + " 倍，gdbook 在结束时判它发散。"
          : "发散：第 " + (dv.epoch + 1) + " 轮（epoch = " + dv.epoch +
            "，从 0 数起）结束时，全部数据上的损失是 " + short(dv.loss) + "，超过了初始损失 " +
            short(main.initialLoss) + " 的 " + short(data.divergence_ratio) + " 倍，gdbook 在这里停下。";
        $("pg-diverged-message").textContent = "DivergenceError: " + divergenceMessage(dv);
        box.hidden = false;
      } else {
        var excess = main.loss[main.loss.length - 1] - main.lossStar;
        text += state.epochs + " 轮（" + updates + " 次更新）后 L − L* = " +
          (excess <= FLOOR ? "0（在舍入误差以内）" : short(excess)) + "。";
        box.hidden = true;
      }
      if (outside) text += "参数的路径有一部分超出了路径图的画面。";
      $("pg-status").textContent = text;
    }

    function set(changes) {
      Object.assign(state, changes);
      sync();
      redraw();
    }

    controls.lr.addEventListener("input", function () {
      set({ learningRate: roundRate(Math.pow(10, parseFloat(controls.lr.value))) });
    });
    controls.lrNumber.addEventListener("change", function () {
      var value = parseFloat(controls.lrNumber.value);
      var lo = Math.pow(10, parseFloat(controls.lr.min)), hi = roundRate(Math.pow(10, parseFloat(controls.lr.max)));
      if (!(value > 0)) { controls.lrNumber.value = state.learningRate; return; }
      set({ learningRate: Math.min(hi, Math.max(lo, value)) });
    });
    controls.batch.addEventListener("input", function () { set({ batchSize: parseInt(controls.batch.value, 10) }); });
    controls.epochs.addEventListener("input", function () { set({ epochs: parseInt(controls.epochs.value, 10) }); });
    ["order", "feature", "schedule"].forEach(function (name) {
      controls[name].addEventListener("change", function () {
        var change = {};
        change[name] = controls[name].value;
        set(change);
      });
    });
    root.querySelectorAll("[data-batch]").forEach(function (button) {
      button.addEventListener("click", function () { set({ batchSize: parseInt(button.dataset.batch, 10) }); });
    });
    var presets = {
      below: function () {
        return { batchSize: data.n, epochs: 100, order: "shuffle", schedule: "constant", learningRate: gridRateAtMost(data.features[state.feature].bound / 1.005) };
      },
      edge: function () {
        return { batchSize: data.n, epochs: 100, order: "shuffle", schedule: "constant", learningRate: gridRateAtLeast(1.005 * data.features[state.feature].bound) };
      },
      blowup: function () {
        return { batchSize: data.n, epochs: 100, order: "shuffle", schedule: "constant", learningRate: gridRateAtLeast(1.3 * data.features[state.feature].bound) };
      },
      "sgd-constant": function () {
        return { batchSize: 1, epochs: 100, learningRate: 0.1, order: "shuffle", feature: "raw", schedule: "constant" };
      },
      "sgd-invscaling": function () {
        return { batchSize: 1, epochs: 100, learningRate: 0.1, order: "shuffle", feature: "raw", schedule: "invscaling" };
      },
      standardized: function () {
        return { batchSize: data.n, epochs: 100, learningRate: 0.5, order: "shuffle", feature: "standardized", schedule: "constant" };
      },
    };
    root.querySelectorAll("[data-preset]").forEach(function (button) {
      button.addEventListener("click", function () { set(presets[button.dataset.preset]()); });
    });
    $("pg-controls").addEventListener("submit", function (event) { event.preventDefault(); });
    sync();
    measure();
    redraw();
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        var before = widths.root;
        measure();
        if (widths.root !== before) redraw();
      }).observe(root);
    }
    root.dataset.ready = "true";
    return { state: state, set: set };
  }

  /** Re-run the settings gdbook ran at build time (table #pg-reference) and show the difference. */
  function checkReference(table, data) {
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var settings = JSON.parse(row.dataset.settings), expected = JSON.parse(row.dataset.loss);
      var run = train(data, settings), worst = 0;
      run.loss.forEach(function (v, i) {
        worst = Math.max(worst, Math.abs(v - expected[i]) / Math.abs(expected[i]));
      });
      if (run.loss.length !== expected.length || isNaN(worst)) worst = Infinity;
      row.querySelector(".pg-browser").textContent = run.diverged
        ? "第 " + (run.diverged.epoch + 1) + " 轮后发散（epoch = " + run.diverged.epoch + "）"
        : settings.epochs + " 轮后 L = " + formatG(run.loss[run.loss.length - 1]);
      row.querySelector(".pg-difference").textContent = isFinite(worst)
        ? (worst === 0 ? "0（完全相同）" : worst.toExponential(1))
        : "轮数不同";
      row.dataset.browserLoss = JSON.stringify(run.loss);
    });
  }

  function init() {
    var root = document.getElementById("playground");
    var script = document.getElementById("playground-data");
    if (!root || !script || root.dataset.ready) return;
    var data = readData(script);
    window.gdbookPlayground.widget = Playground(root, data);
    var table = document.getElementById("pg-reference");
    if (table) checkReference(table, data);
  }

  window.gdbookPlayground = {
    readData: readData,
    train: train,
    formatG: formatG,
    divergenceMessage: divergenceMessage,
  };
  if (typeof document$ !== "undefined") {
    document$.subscribe(init); // Material's page-load observable
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
