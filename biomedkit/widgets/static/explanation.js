// biomedkit explanation explorer (anywidget ES module). esm() in biomedkit/widgets/_base.py
// puts static/_common.js (f32, el, fmt, esc) above this text: one self-contained module,
// no imports. The styles are static/explanation.css, sent as the widget's _css.
// Feature names, categories and patient ids come from the user's data: they reach the page
// as text (textContent, setAttribute) or escaped with esc(), never as HTML.
// The summary, importance and dependence plots redraw here from a subsample sent once;
// picking a patient and what-if changes ask the kernel, which keeps the model and data.

// Low values blue, high values red (as in SHAP's summary plots), grey when missing.
const colour = (t) => (Number.isFinite(t) ? `rgb(${Math.round(30 + 200 * t)},${Math.round(110 - 60 * t)},${Math.round(230 - 190 * t)})` : "#bbb");

function axes(width, height, xr, yr, xlabel, m = { l: 40, r: 8, t: 8, b: 28 }) {
  const x = (v) => m.l + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * (width - m.l - m.r);
  const y = (v) => height - m.b - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * (height - m.t - m.b);
  let s = `<svg width="100%" viewBox="0 0 ${width} ${height}" style="max-width:${width}px">`;
  s += `<line x1="${m.l}" x2="${width - m.r}" y1="${height - m.b}" y2="${height - m.b}" stroke="#999"/>`;
  for (let i = 0; i <= 4; i++) {
    const v = xr[0] + (i / 4) * (xr[1] - xr[0]);
    s += `<text x="${x(v)}" y="${height - m.b + 13}" text-anchor="middle">${+v.toPrecision(3)}</text>`;
  }
  s += `<text x="${(m.l + width - m.r) / 2}" y="${height - 2}" text-anchor="middle">${esc(xlabel)}</text>`;
  return { s, x, y, m };
}

// Horizontal bars from a base value: a waterfall of one patient's SHAP values.
function waterfall(names, values, base, output, testid) {
  const order = [...values.keys()].sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
  const top = order.slice(0, 10), rest = order.slice(10);
  const items = top.map((j) => ({ name: names[j], v: values[j] }));
  if (rest.length) items.push({ name: `${rest.length} other features`, v: rest.reduce((a, j) => a + values[j], 0) });
  let run = base; const spans = items.map((it) => { const a = run; run += it.v; return { ...it, a, b: run }; });
  const lo = Math.min(base, ...spans.map((s) => Math.min(s.a, s.b))), hi = Math.max(base, ...spans.map((s) => Math.max(s.a, s.b)));
  const pad = (hi - lo) * 0.08 || 0.1;
  const W = 420, rowH = 18, H = spans.length * rowH + 46;
  const c = axes(W, H, [lo - pad, hi + pad], [0, 1], `model output (${output})`, { l: 150, r: 52, t: 6, b: 28 });
  let s = c.s;
  spans.forEach((sp, i) => {
    const y0 = 6 + i * rowH, x0 = c.x(Math.min(sp.a, sp.b)), x1 = c.x(Math.max(sp.a, sp.b));
    s += `<text x="${c.m.l - 4}" y="${y0 + 12}" text-anchor="end">${esc(sp.name)}</text>`;
    s += `<rect x="${x0}" y="${y0 + 2}" width="${Math.max(1, x1 - x0)}" height="${rowH - 5}" fill="${sp.v >= 0 ? "#D55E00" : "#0072B2"}"/>`;
    s += `<text x="${x1 + 3}" y="${y0 + 12}">${sp.v >= 0 ? "+" : ""}${fmt(sp.v)}</text>`;
  });
  s += `<line x1="${c.x(base)}" x2="${c.x(base)}" y1="2" y2="${H - 28}" stroke="#666" stroke-dasharray="3 3"/>`;
  return `<div data-testid="${testid}">${s}</svg></div>`;
}

function render({ model, el: host }) {
  const S = model.get("summary");
  const P = model.get("patients");
  // Every array is a binary buffer of its own; the summary's are features x sampled patients.
  const ids = Array.isArray(P.ids) ? P.ids : P.ids.split("\n"), positions = f32(model.get("patients_position")), risks = f32(model.get("patients_risk"));
  const shapAll = f32(model.get("summary_shap")), valueAll = f32(model.get("summary_value"));
  const colourAll = f32(model.get("summary_colour")), nPoints = S.n_points;
  const ofFeature = (a, j) => a.subarray(j * nPoints, (j + 1) * nPoints);
  const feats = S.features.map((f, j) =>
    ({ ...f, shap: ofFeature(shapAll, j), value: ofFeature(valueAll, j), colour: ofFeature(colourAll, j) }));
  const root = el("div", { class: "bk-ex", "data-testid": "bk-explanation-explorer" });
  root.appendChild(el("h3", {}, S.title));
  root.appendChild(el("div", { class: "bk-note" },
    `${S.n_rows} patients; SHAP values by ${S.method}, adding up to the model output on the ${S.output} scale. ` +
    `Summary plots use ${S.n_points} sampled patients; picking a patient or a what-if asks the kernel.`));
  const grid = el("div", { class: "bk-grid" });
  const panel = (title) => { const p = el("div", { class: "bk-panel" }); p.appendChild(el("h4", {}, title)); grid.appendChild(p); return p; };

  // Patient picker: sorted by predicted risk, searchable by id.
  const pick = panel(`Patients, highest ${P.label} first`);
  const search = el("input", { type: "search", placeholder: "search by id", "data-testid": "bk-patient-search" });
  const list = el("div", { class: "bk-list", "data-testid": "bk-patient-list" });
  pick.append(search, list);
  function drawList() {
    const q = search.value.trim();
    let h = "", shown = 0;
    for (let k = 0; k < ids.length && shown < 200; k++) {
      if (q && !ids[k].includes(q)) continue;
      const on = positions[k] === model.get("selected") ? " bk-on" : "";
      h += `<div class="bk-item${on}" data-position="${positions[k]}" data-id="${esc(ids[k])}"><span>${esc(ids[k])}</span><span>${fmt(risks[k])}</span></div>`;
      shown++;
    }
    list.innerHTML = h || "<div class='bk-note'>no patient with that id</div>";
  }
  list.addEventListener("click", (e) => {
    const item = e.target.closest(".bk-item");
    if (!item) return;
    model.set("selected", +item.dataset.position);
    model.save_changes();
    drawList();
  });
  search.addEventListener("input", drawList);

  const card = panel("The chosen patient");
  const cardBody = el("div"); card.appendChild(cardBody);
  const what = panel("What if? Change values, then run the model again");
  const form = el("div", { class: "bk-form" });
  const runBtn = el("button", { "data-testid": "bk-whatif-run" }, "predict again");
  const resetBtn = el("button", {}, "reset");
  const whatOut = el("div", { "data-testid": "bk-whatif-result" });
  what.append(form, el("div", {}, ""), runBtn, document.createTextNode(" "), resetBtn, whatOut);

  const imp = panel("Global importance (mean |SHAP|)");
  const swarm = panel("Summary: each dot a patient, colour = feature value (blue low, red high)");
  const dep = panel("Dependence");
  const depX = el("select", { "data-testid": "bk-dependence-feature" }), depC = el("select", { "data-testid": "bk-dependence-colour" });
  feats.forEach((f, i) => { depX.appendChild(el("option", { value: i }, f.name)); depC.appendChild(el("option", { value: i }, f.name)); });
  depC.value = feats.length > 1 ? 1 : 0;
  const depPlot = el("div");
  dep.append(document.createTextNode("feature "), depX, document.createTextNode(" coloured by "), depC, depPlot);
  root.appendChild(grid);
  keepKeys(root); // typing is not a notebook shortcut
  host.appendChild(root);

  function drawImportance() {
    const top = feats.slice(0, 15), max = Math.max(...S.importance.slice(0, 15), 1e-12);
    let h = "<table>";
    top.forEach((f, i) => {
      h += `<tr><td style="text-align:right;padding-right:6px">${esc(f.name)}</td><td style="width:180px"><div style="background:#0072B2;height:10px;width:${(100 * S.importance[i]) / max}%"></div></td><td>${fmt(S.importance[i])}</td></tr>`;
    });
    imp.querySelector("div")?.remove();
    const box = el("div"); box.innerHTML = h + "</table>"; imp.appendChild(box);
  }

  function drawSwarm() {
    const top = feats.slice(0, 12);
    let lo = Infinity, hi = -Infinity;
    top.forEach((f) => f.shap.forEach((v) => { lo = Math.min(lo, v); hi = Math.max(hi, v); }));
    const W = 420, rowH = 22, H = top.length * rowH + 36;
    const c = axes(W, H, [lo, hi], [0, 1], "SHAP value", { l: 110, r: 8, t: 4, b: 28 });
    let s = c.s + `<line x1="${c.x(0)}" x2="${c.x(0)}" y1="0" y2="${H - 28}" stroke="#aaa"/>`;
    top.forEach((f, i) => {
      const yc = 4 + i * rowH + rowH / 2;
      s += `<text x="${c.m.l - 4}" y="${yc + 4}" text-anchor="end">${esc(f.name)}</text>`;
      // Deterministic jitter: spread dots vertically by their order within a bin.
      const bins = new Map();
      for (let k = 0; k < f.shap.length; k++) {
        const b = Math.round(c.x(f.shap[k]) / 3), n = bins.get(b) || 0; bins.set(b, n + 1);
        const dy = ((n % 2 ? 1 : -1) * Math.ceil(n / 2) * 1.5) % (rowH / 2 - 1);
        s += `<circle cx="${c.x(f.shap[k]).toFixed(1)}" cy="${(yc + dy).toFixed(1)}" r="1.6" fill="${colour(f.colour[k])}"/>`;
      }
    });
    swarm.querySelector("div")?.remove();
    const box = el("div"); box.innerHTML = s + "</svg>"; swarm.appendChild(box);
  }

  function drawDependence() {
    const f = feats[+depX.value], g = feats[+depC.value];
    const xs = [...f.value].filter(Number.isFinite);
    const ys = [...f.shap];
    const c = axes(420, 260, [Math.min(...xs), Math.max(...xs)], [Math.min(...ys), Math.max(...ys)], f.name + (f.categories ? " (category)" : ""));
    let s = c.s;
    for (let k = 0; k < f.shap.length; k++) {
      if (!Number.isFinite(f.value[k])) continue;
      s += `<circle cx="${c.x(f.value[k]).toFixed(1)}" cy="${c.y(f.shap[k]).toFixed(1)}" r="2" fill="${colour(g.colour[k])}"/>`;
    }
    s += `<text transform="translate(11 130) rotate(-90)" text-anchor="middle">SHAP value of ${esc(f.name)}</text>`;
    if (f.categories) f.categories.forEach((cat, k) => { s += `<text x="${c.x(k)}" y="${236}" text-anchor="middle" fill="#666">${esc(cat)}</text>`; });
    depPlot.innerHTML = s + "</svg>";
  }
  depX.addEventListener("change", drawDependence);
  depC.addEventListener("change", drawDependence);

  const names = () => model.get("patient").inputs.map((i) => i.name);
  function drawPatient() {
    const p = model.get("patient");
    if (!p || !p.inputs) return;
    const shap = f32(p.shap);
    cardBody.innerHTML = `<div>patient <b data-testid="bk-patient-id">${esc(p.id)}</b></div>` +
      `<div>predicted ${P.label}: <span class="bk-big" data-testid="bk-patient-risk">${fmt(p.risk, 4)}</span>` +
      ` <span class="bk-note">(output ${fmt(p.prediction)} = base ${fmt(p.base)} + sum of SHAP values)</span></div>` +
      waterfall(names(), shap, p.base, S.output, "bk-waterfall");
    form.innerHTML = "";
    const order = [...shap.keys()].sort((a, b) => Math.abs(shap[b]) - Math.abs(shap[a]));
    for (const j of order) {
      const inp = p.inputs[j];
      form.appendChild(el("label", {}, inp.name));
      let field;
      if (inp.kind === "category") {
        field = el("select", {});
        for (const o of inp.options) field.appendChild(el("option", { value: o }, o));
        field.value = inp.value ?? inp.options[0];
      } else {
        field = el("input", { type: "number", step: inp.kind === "integer" ? "1" : "any" });
        field.value = inp.value === null ? "" : +inp.value.toPrecision(6); // readable, and sent only if edited
      }
      field.dataset.feature = inp.name;
      field.dataset.original = field.value;
      field.setAttribute("data-testid", `bk-whatif-${inp.name}`);
      form.appendChild(field);
    }
    drawWhatIf();
    drawList();
  }

  let request = 0;
  runBtn.addEventListener("click", () => {
    const changes = {};
    for (const f of form.querySelectorAll("[data-feature]")) {
      if (f.value !== f.dataset.original) changes[f.dataset.feature] = f.tagName === "SELECT" ? f.value : (f.value === "" ? null : +f.value);
    }
    request += 1;
    whatOut.innerHTML = "<span class='bk-note'>asking the model…</span>";
    model.set("whatif", { position: model.get("selected"), changes, request });
    model.save_changes();
  });
  resetBtn.addEventListener("click", () => { for (const f of form.querySelectorAll("[data-feature]")) f.value = f.dataset.original; whatOut.innerHTML = ""; });

  function drawWhatIf() {
    const r = model.get("whatif_result");
    if (!r || (!r.shap && !r.error)) { whatOut.innerHTML = ""; return; }
    if (r.error) { whatOut.innerHTML = `<div style="color:#b00" data-testid="bk-whatif-error">${esc(r.error)}</div>`; return; }
    const p = model.get("patient");
    whatOut.innerHTML = `<div>new predicted ${P.label}: <span class="bk-big" data-testid="bk-whatif-risk">${fmt(r.risk, 4)}</span> ` +
      `<span class="bk-note">(was ${fmt(p.risk, 4)})</span></div>` + waterfall(names(), f32(r.shap), r.base, S.output, "bk-whatif-waterfall");
  }

  drawImportance();
  drawSwarm();
  drawDependence();
  drawPatient();
  model.on("change:patient", drawPatient);
  model.on("change:whatif_result", drawWhatIf);
  return () => { model.off("change:patient", drawPatient); model.off("change:whatif_result", drawWhatIf); };
}

export default { render };
