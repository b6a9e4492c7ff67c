// biomedkit fairness explorer (anywidget ES module). esm() in biomedkit/widgets/_base.py
// puts static/_common.js (f32, el, fmt, esc) above this text: one self-contained module,
// no imports. The styles are static/fairness.css, sent as the widget's _css.
// Python sends every group's confusion counts at every grid threshold; this file
// redraws all panels from them on each slider move, without asking the kernel.
// Group labels come from the user's data: they reach the page as text (textContent,
// setAttribute) or escaped with esc(), never as HTML.

const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];
const METRICS = [["n", "n"], ["base_rate", "base rate"], ["selection_rate", "selection"],
  ["tpr", "TPR"], ["fpr", "FPR"], ["fnr", "FNR"], ["ppv", "PPV"], ["npv", "NPV"], ["accuracy", "accuracy"]];
const BARS = [["selection_rate", "selection"], ["tpr", "TPR"], ["fpr", "FPR"], ["ppv", "PPV"]];
const CRITERIA = [["demographic_parity", "Demographic parity"], ["equal_opportunity", "Equal opportunity"],
  ["equalized_odds", "Equalized odds"], ["predictive_parity", "Predictive parity"]];
const Z95 = 1.959963984540054;

function rates(tp, fp, pos, neg) {
  const fn = pos - tp, tn = neg - fp, n = pos + neg, flagged = tp + fp;
  return { n, base_rate: pos / n, selection_rate: flagged / n, tpr: tp / pos, fpr: fp / neg,
    fnr: fn / pos, tnr: tn / neg, ppv: flagged > 0 ? tp / flagged : NaN,
    npv: fn + tn > 0 ? tn / (fn + tn) : NaN, accuracy: (tp + tn) / n, flagged };
}

// A small SVG chart with linear axes; returns {svg, x, y} where x and y map data to pixels.
function chart(width, height, xr, yr, xlabel, ylabel, xticks = true) {
  const m = { l: 42, r: 8, t: 8, b: 30 };
  const x = (v) => m.l + ((v - xr[0]) / (xr[1] - xr[0])) * (width - m.l - m.r);
  const y = (v) => height - m.b - ((v - yr[0]) / (yr[1] - yr[0])) * (height - m.t - m.b);
  let s = `<svg width="100%" viewBox="0 0 ${width} ${height}" style="max-width:${width}px">`;
  s += `<rect x="${m.l}" y="${m.t}" width="${width - m.l - m.r}" height="${height - m.t - m.b}" fill="none" stroke="#bbb"/>`;
  for (let i = 0; i <= 4; i++) {
    const xv = xr[0] + (i / 4) * (xr[1] - xr[0]), yv = yr[0] + (i / 4) * (yr[1] - yr[0]);
    if (xticks) s += `<text x="${x(xv)}" y="${height - m.b + 13}" text-anchor="middle">${+xv.toFixed(2)}</text>`;
    s += `<text x="${m.l - 4}" y="${y(yv) + 4}" text-anchor="end">${+yv.toFixed(2)}</text>`;
  }
  s += `<text x="${(m.l + width - m.r) / 2}" y="${height - 3}" text-anchor="middle">${xlabel}</text>`;
  s += `<text transform="translate(11 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">${ylabel}</text>`;
  return { head: s, x, y };
}

function render({ model, el: host }) {
  // Labels and small numbers come in "data"; every array is a binary buffer of its own
  // (per-group curves of different lengths: one buffer per group).
  const d = model.get("data");
  const G = d.groups.length, T = d.n_thresholds;
  const grid = f32(model.get("threshold_grid")), tp = f32(model.get("tp")), fp = f32(model.get("fp"));
  const rocTpr = model.get("roc_tpr"), calObserved = model.get("calibration_observed");
  const rocs = model.get("roc_fpr").map((fpr, i) => ({ fpr: f32(fpr), tpr: f32(rocTpr[i]) }));
  const cal = model.get("calibration_score").map((score, i) =>
    ({ score: f32(score), observed: f32(calObserved[i]), n: d.calibration_n[i] }));
  const color = (i) => PALETTE[i % PALETTE.length];

  const root = el("div", { class: "bk-fx", "data-testid": "bk-fairness-explorer" });
  root.appendChild(el("h3", {}, d.title));

  // Controls: one slider for everybody, optional sliders per group, presets.
  const controls = el("div", { class: "bk-controls" });
  const globalRow = el("label", { class: "bk-row" });
  globalRow.appendChild(document.createTextNode("Threshold (everybody) "));
  const globalSlider = el("input", { type: "range", min: 0, max: T - 1, step: 1, "data-testid": "bk-threshold-global" });
  const globalLabel = el("span", { "data-testid": "bk-threshold-global-value" });
  globalRow.append(globalSlider, globalLabel);
  const perGroupBox = el("input", { type: "checkbox", "data-testid": "bk-per-group" });
  const perGroupRow = el("label", { class: "bk-row" });
  perGroupRow.append(perGroupBox, document.createTextNode(" thresholds per group"));
  const presets = el("div", { class: "bk-row" });
  presets.appendChild(document.createTextNode("Presets: "));
  const presetButton = (label, name, indices) => {
    const b = el("button", { "data-testid": `bk-preset-${name}` }, label);
    b.addEventListener("click", () => set(indices(), name !== "same"));
    presets.appendChild(b);
  };
  presetButton("same threshold", "same", () => Array(G).fill(model.get("threshold_index")[d.reference]));
  for (const [name, label] of CRITERIA) presetButton(label.toLowerCase(), name, () => matchReference(name));
  controls.append(globalRow, perGroupRow, presets);
  root.appendChild(controls);

  const groupSliders = el("div", { class: "bk-controls" });
  const sliders = d.groups.map((g, i) => {
    const row = el("label", { class: "bk-row" });
    row.appendChild(el("span", { class: "bk-swatch", style: `background:${color(i)}` }));
    row.appendChild(document.createTextNode(g + " "));
    const s = el("input", { type: "range", min: 0, max: T - 1, step: 1, "data-testid": `bk-threshold-${i}` });
    const v = el("span", { "data-testid": `bk-threshold-${i}-value` });
    s.addEventListener("input", () => {
      const idx = model.get("threshold_index").slice();
      idx[i] = +s.value;
      set(idx, true);
    });
    row.append(s, v);
    groupSliders.appendChild(row);
    return { s, v };
  });
  root.appendChild(groupSliders);

  const panels = el("div", { class: "bk-grid" });
  const panel = (title, testid, wide = false) => {
    const p = el("div", { class: wide ? "bk-panel bk-wide" : "bk-panel" });
    p.appendChild(el("h4", {}, title));
    const body = el("div", { "data-testid": testid });
    p.appendChild(body);
    panels.appendChild(p);
    return body;
  };
  const tableBody = panel("Metrics by group", "bk-metrics", true);
  const disparityBody = panel("Disparities (difference max − min; ratio min / max)", "bk-disparities", true);
  const rocBody = panel("ROC by group, with operating points", "bk-roc");
  const barBody = panel(`Difference from ${d.groups[d.reference]} (95% Wald CI)`, "bk-bars");
  const calBody = panel("Calibration within groups", "bk-calibration");
  const sizeBody = panel("Group sizes and base rates", "bk-sizes");
  root.appendChild(panels);
  root.appendChild(el("p", { class: "bk-note" },
    "Only aggregates (counts per group and threshold) are in this view, never patient rows. " +
    "Flagged means score ≥ threshold."));
  keepKeys(root); // arrows on a slider are not notebook shortcuts
  host.appendChild(root);

  function set(indices, perGroup) {
    model.set("threshold_index", indices.map((v) => Math.max(0, Math.min(T - 1, v | 0))));
    model.set("per_group", perGroup);
    model.save_changes();
    draw(); // redraw now: the change events may come back later or not at all
  }
  globalSlider.addEventListener("input", () => set(Array(G).fill(+globalSlider.value), false));
  perGroupBox.addEventListener("change", () => {
    const idx = model.get("threshold_index");
    set(perGroupBox.checked ? idx : Array(G).fill(idx[d.reference]), perGroupBox.checked);
  });

  // A preset keeps the reference group's threshold and gives every other group the grid
  // threshold whose rates come closest to the reference group's for the criterion.
  function matchReference(name) {
    const idx = model.get("threshold_index").slice(), r = d.reference;
    const at = (i, k) => rates(tp[i * T + k], fp[i * T + k], d.positives[i], d.negatives[i]);
    const target = at(r, idx[r]);
    const metrics = d.criteria[name];
    for (let i = 0; i < G; i++) {
      if (i === r) continue;
      let best = idx[i], bestGap = Infinity;
      for (let k = 0; k < T; k++) {
        const here = at(i, k);
        const gap = Math.max(...metrics.map((m) => Math.abs(here[m] - target[m])));
        const closer = gap < bestGap - 1e-12 || (Math.abs(gap - bestGap) <= 1e-12 && Math.abs(k - idx[r]) < Math.abs(best - idx[r]));
        if (Number.isFinite(gap) && closer) { best = k; bestGap = gap; }
      }
      idx[i] = best;
    }
    return idx;
  }

  function current() {
    const idx = model.get("threshold_index");
    return d.groups.map((g, i) => {
      const k = i * T + idx[i];
      return { group: g, i, threshold: grid[idx[i]], ...rates(tp[k], fp[k], d.positives[i], d.negatives[i]) };
    });
  }

  function drawTable(rows) {
    let h = "<table data-testid='bk-metric-table'><tr><th>group</th><th>threshold</th>";
    for (const [, label] of METRICS) h += `<th>${label}</th>`;
    h += "</tr>";
    for (const r of rows) {
      h += `<tr data-group="${esc(r.group)}"><td><span class="bk-swatch" style="background:${color(r.i)}"></span>${esc(r.group)}</td>`;
      h += `<td data-metric="threshold">${fmt(r.threshold)}</td>`;
      for (const [key] of METRICS) h += `<td data-metric="${key}">${key === "n" ? Math.round(r.n) : fmt(r[key])}</td>`;
      h += "</tr>";
    }
    tableBody.innerHTML = h + "</table>";
  }

  function drawDisparities(rows) {
    let h = "<table data-testid='bk-disparity-table'><tr><th>criterion</th><th>compares</th><th>difference</th><th>ratio</th></tr>";
    for (const [name, label] of CRITERIA) {
      let diff = 0, ratio = 1;
      for (const m of d.criteria[name]) {
        const v = rows.map((r) => r[m]).filter(Number.isFinite);
        const hi = Math.max(...v), lo = Math.min(...v);
        diff = Math.max(diff, hi - lo);
        ratio = Math.min(ratio, hi > 0 ? lo / hi : 1);
      }
      h += `<tr data-criterion="${name}"><td>${label}</td><td>${d.criteria[name].join(", ")}</td>` +
        `<td data-metric="difference">${fmt(diff)}</td><td data-metric="ratio">${fmt(ratio)}</td></tr>`;
    }
    disparityBody.innerHTML = h + "</table>";
  }

  function drawRoc(rows) {
    const c = chart(300, 260, [0, 1], [0, 1], "false positive rate", "true positive rate");
    let s = c.head + `<line x1="${c.x(0)}" y1="${c.y(0)}" x2="${c.x(1)}" y2="${c.y(1)}" stroke="#aaa" stroke-dasharray="3 3"/>`;
    rocs.forEach((r, i) => {
      let p = "";
      for (let j = 0; j < r.fpr.length; j++) p += `${j ? "L" : "M"}${c.x(r.fpr[j]).toFixed(1)},${c.y(r.tpr[j]).toFixed(1)}`;
      s += `<path d="${p}" fill="none" stroke="${color(i)}" stroke-width="1.6"/>`;
    });
    rows.forEach((r) => {
      s += `<circle cx="${c.x(r.fpr)}" cy="${c.y(r.tpr)}" r="5" fill="${color(r.i)}" stroke="white" stroke-width="1.5"/>`;
    });
    rows.forEach((r, k) => {
      s += `<text x="${c.x(0.55)}" y="${c.y(0.05) - 14 * (rows.length - 1 - k)}" fill="${color(r.i)}">${esc(r.group)}: AUC ${fmt(d.auc[r.i])}</text>`;
    });
    rocBody.innerHTML = s + "</svg>";
  }

  function drawBars(rows) {
    const ref = rows[d.reference];
    const others = rows.filter((r) => r.i !== d.reference);
    const items = [];
    for (const [m] of BARS) {
      const den = { selection_rate: (r) => r.n, tpr: (r) => d.positives[r.i], fpr: (r) => d.negatives[r.i], ppv: (r) => r.flagged }[m];
      for (const r of others) {
        const diff = r[m] - ref[m];
        const se = Math.sqrt((r[m] * (1 - r[m])) / den(r) + (ref[m] * (1 - ref[m])) / den(ref));
        items.push({ m, r, diff, lo: diff - Z95 * se, hi: diff + Z95 * se });
      }
    }
    const finite = items.flatMap((it) => [it.lo, it.hi]).filter(Number.isFinite);
    const bound = Math.max(0.05, ...finite.map(Math.abs));
    const c = chart(300, 260, [0, BARS.length], [-bound, bound], "", "difference", false);
    let s = c.head;
    s += `<line x1="${c.x(0)}" x2="${c.x(BARS.length)}" y1="${c.y(0)}" y2="${c.y(0)}" stroke="#333"/>`;
    const w = 0.8 / Math.max(1, others.length);
    BARS.forEach(([m, label], j) => {
      s += `<text x="${c.x(j + 0.5)}" y="${c.y(-bound) + 13}" text-anchor="middle">${label}</text>`;
      items.filter((it) => it.m === m).forEach((it, k) => {
        const x0 = j + 0.1 + k * w;
        if (!Number.isFinite(it.diff)) return;
        const top = c.y(Math.max(0, it.diff)), bottom = c.y(Math.min(0, it.diff));
        s += `<rect data-testid="bk-bar-${m}-${it.r.i}" x="${c.x(x0)}" y="${top}" width="${c.x(x0 + w * 0.9) - c.x(x0)}" height="${Math.max(0.5, bottom - top)}" fill="${color(it.r.i)}"><title>${esc(it.r.group)} ${label}: ${fmt(it.diff)} (${fmt(it.lo)} to ${fmt(it.hi)})</title></rect>`;
        if (Number.isFinite(it.lo)) {
          const xm = c.x(x0 + w * 0.45);
          s += `<line x1="${xm}" x2="${xm}" y1="${c.y(it.lo)}" y2="${c.y(it.hi)}" stroke="#000"/>`;
        }
      });
    });
    barBody.innerHTML = s + "</svg>";
  }

  function drawCalibration() {
    const lo = Math.min(grid[0], 0), hi = Math.max(grid[T - 1], 1);
    const c = chart(300, 260, [lo, hi], [0, 1], "mean score", "observed event rate");
    let s = c.head + `<line x1="${c.x(lo)}" y1="${c.y(lo)}" x2="${c.x(hi)}" y2="${c.y(hi)}" stroke="#aaa" stroke-dasharray="3 3"/>`;
    cal.forEach((k, i) => {
      let p = "";
      for (let j = 0; j < k.score.length; j++) {
        p += `${j ? "L" : "M"}${c.x(k.score[j]).toFixed(1)},${c.y(k.observed[j]).toFixed(1)}`;
        s += `<circle cx="${c.x(k.score[j])}" cy="${c.y(k.observed[j])}" r="2.5" fill="${color(i)}"><title>${esc(d.groups[i])}: ${k.n[j]} patients</title></circle>`;
      }
      s += `<path d="${p}" fill="none" stroke="${color(i)}"/>`;
    });
    calBody.innerHTML = s + "</svg>";
  }

  function drawSizes() {
    const n = d.groups.map((g, i) => d.positives[i] + d.negatives[i]);
    const max = Math.max(...n);
    let h = "<table data-testid='bk-size-table'>";
    d.groups.forEach((g, i) => {
      h += `<tr><td><span class="bk-swatch" style="background:${color(i)}"></span>${esc(g)}</td>` +
        `<td style="width:140px"><div style="background:${color(i)};height:10px;width:${(100 * n[i]) / max}%"></div></td>` +
        `<td>${Math.round(n[i])}</td><td>base rate ${fmt(d.positives[i] / n[i])}</td></tr>`;
    });
    sizeBody.innerHTML = h + "</table>";
  }

  function draw() {
    const idx = model.get("threshold_index"), perGroup = model.get("per_group");
    globalSlider.value = idx[d.reference];
    globalLabel.textContent = fmt(grid[idx[d.reference]]) + (perGroup ? " (reference group)" : "");
    perGroupBox.checked = perGroup;
    groupSliders.style.display = perGroup ? "flex" : "none";
    sliders.forEach(({ s, v }, i) => { s.value = idx[i]; v.textContent = fmt(grid[idx[i]]); });
    const rows = current();
    drawTable(rows);
    drawDisparities(rows);
    drawRoc(rows);
    drawBars(rows);
  }

  drawCalibration();
  drawSizes();
  draw();
  model.on("change:threshold_index", draw);
  model.on("change:per_group", draw);
  return () => {
    model.off("change:threshold_index", draw);
    model.off("change:per_group", draw);
  };
}

export default { render };
