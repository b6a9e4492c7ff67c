// A file chosen or dropped in the browser, sent to Python in pieces: no size limit but the
// disk's, no base64 copy of the whole file in the page (which fails above about 400 MB),
// and a progress bar from what Python has written. Python answers each message; the next
// piece leaves only then, so the page holds one piece at a time.
const PIECE = 8 * 1024 * 1024;

function render({ model, el: root }) {
  keepKeys(root);
  const box = el("div", { class: "bk-upload", "data-testid": "bk-upload" });
  const zone = el("label", { class: "bk-upload-zone" });
  const input = el("input", { type: "file", accept: model.get("accept") });
  zone.append(el("span", {}, model.get("label")), input);
  const bar = el("progress", { max: "1", value: "0", hidden: "" });
  const status = el("p", { class: "bk-upload-status", role: "status", "data-testid": "bk-upload-status" });
  box.append(zone, bar, status);
  root.append(box);

  const shown = model.get("file");
  if (shown && shown.name) status.textContent = `${shown.name}: ${mb(shown.size)} received.`;

  let answer = null; // resolves with Python's reply to the message in flight
  model.on("msg:custom", (msg) => { if (answer) { const done = answer; answer = null; done(msg); } });
  const ask = (content, buffers) => new Promise((resolve) => {
    answer = resolve;
    model.send(content, undefined, buffers);
  });

  let busy = false;
  async function send(file) {
    if (busy || !file) return;
    busy = true;
    zone.classList.add("bk-upload-busy");
    const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const started = performance.now();
    bar.hidden = false; bar.value = 0;
    status.textContent = `Sending ${file.name} (${mb(file.size)})…`;
    try {
      let reply = await ask({ kind: "start", id, name: file.name, size: file.size });
      for (let offset = 0; reply.kind === "ack" && offset < file.size; offset += PIECE) {
        const piece = await file.slice(offset, offset + PIECE).arrayBuffer();
        reply = await ask({ kind: "piece", id, offset }, [piece]);
        if (reply.kind !== "ack") break;
        bar.value = reply.received / Math.max(file.size, 1);
        const seconds = (performance.now() - started) / 1000;
        status.textContent = `Sending ${file.name}: ${mb(reply.received)} of ${mb(file.size)} (${seconds.toFixed(0)} s)…`;
      }
      if (reply.kind === "ack") reply = await ask({ kind: "end", id });
      if (reply.kind === "error") {
        status.textContent = reply.message;
        status.classList.add("bk-upload-error");
        return;
      }
      status.classList.remove("bk-upload-error");
      const seconds = (performance.now() - started) / 1000;
      status.textContent = `${file.name}: ${mb(file.size)} received in ${seconds.toFixed(1)} s.`;
      model.set("file", { name: file.name, size: file.size, id });
      model.save_changes(); // the value the app reacts to, once the whole file is on disk
    } finally {
      busy = false;
      bar.hidden = true;
      zone.classList.remove("bk-upload-busy");
      input.value = "";
    }
  }

  input.addEventListener("change", () => send(input.files[0]));
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("bk-upload-over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("bk-upload-over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("bk-upload-over");
    send(e.dataTransfer.files[0]);
  });
}

function mb(bytes) {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(0)} kB` : `${(bytes / 1e6).toFixed(bytes < 1e8 ? 1 : 0)} MB`;
}

export default { render };
