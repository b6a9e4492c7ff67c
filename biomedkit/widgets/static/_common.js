// biomedkit explorers: the helpers every explorer uses, written once.
// Not a module of its own: esm() in biomedkit/widgets/_base.py puts this text at the top
// of each explorer's ES module, so every widget still ships one self-contained module
// (anywidget saves the module text with each widget in the notebook; no imports, no CDN).

// Binary buffers arrive as DataView, ArrayBuffer or typed arrays depending on the front
// end, and short vectors as JSON arrays; accept each.
function f32(x) {
  if (x instanceof Float32Array) return x;
  if (x instanceof DataView) return new Float32Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  if (x instanceof ArrayBuffer) return new Float32Array(x.slice(0));
  if (ArrayBuffer.isView(x)) return new Float32Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  if (Array.isArray(x)) return Float32Array.from(x);
  if (typeof x === "string") { // base64 text, as some frontends send bytes
    const raw = atob(x); const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }
  throw new Error("biomedkit: cannot read a binary array of type " + typeof x);
}

// An element with attributes and text: setAttribute and textContent never parse HTML.
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

const fmt = (v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : "–");

// Data from users (group labels, column names, ids, categories) put into HTML or SVG
// markup: escaped, so the browser shows it as text and never runs it. Escapes quotes too,
// for attribute values.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);

// Keys pressed inside an explorer (arrows on a slider, typing in a box) belong to it, not to
// the notebook's shortcuts. JupyterLab reads shortcuts as keydown events bubble up, so
// stopping them at the explorer is enough; Notebook 7 reads them on the way down (capture),
// before they reach the explorer, and would turn ArrowRight into "move to the next cell".
// A listener on window runs before any listener on document, so one listener (added once per
// page) stops those events there. Stopping propagation cancels no default action: the
// slider still moves.
function keepKeys(root) {
  root.setAttribute("data-bk-keys", "");
  root.addEventListener("keydown", (e) => e.stopPropagation());
  if (window.__biomedkitKeys) return;
  window.__biomedkitKeys = true;
  window.addEventListener("keydown", (e) => {
    if (e.target instanceof Element && e.target.closest("[data-bk-keys]")) e.stopPropagation();
  }, true);
}
