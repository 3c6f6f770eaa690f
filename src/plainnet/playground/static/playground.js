"use strict";
/*
 * plainnet playground: the page.
 *
 * The server trains the network in a thread of its own. This page sends it
 * the settings (POST /api/setup) and the buttons (POST /api/control), and
 * polls GET /api/state for what to draw, many times a second; it never waits
 * on a training step. Every request carries the token the server wrote into
 * the page. The settings live in the address after "#", so a link reproduces
 * a setup. Plain JavaScript: no library, nothing fetched from elsewhere.
 */

const TOKEN = document.querySelector('meta[name="playground-token"]').content;
const POLL_MS = 40; // the pause between two polls
const RETRY_MS = 1000; // the pause after a poll that failed
// Class colours: these ten, then hues spread by the golden angle.
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const POSITIVE = [8, 119, 189]; // a neuron's positive outputs, positive weights
const NEGATIVE = [245, 147, 34]; // negative ones
const ACTIVATION_TEXT = {
  tanh: "tanh", relu: "relu", leaky_relu: "leaky_relu", sigmoid: "sigmoid", identity: "",
};

const page = {
  run: null, // the run drawn, its data, setup and the CSV file known
  data: null, setup: null, csv: null, running: false,
  loss: [], valLoss: [], // the history so far
  drawing: null, drawn: -1, // the last drawing and its version
  nodes: [], // per column of the diagram, the centres of its neurons
  lines: [], // per weight matrix, its SVG lines [input][output]
  selected: null, // the clicked neuron: {layer, unit}
  updates: [], // when the last drawings arrived, for the rate shown
};
const $ = (id) => document.getElementById(id);

// -- talking to the server ---------------------------------------------------------
async function api(path, options = {}) {
  const headers = { "X-Playground-Token": TOKEN, ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers });
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    const text = await response.text();
    let message = `${response.status} ${response.statusText}`;
    try { message = JSON.parse(text).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  if (type.startsWith("application/json")) return response.json();
  if (type.startsWith("text/")) return response.text();
  return response.blob();
}

function post(path, value) {
  return api(path, {
    method: "POST", body: JSON.stringify(value),
    headers: { "Content-Type": "application/json" },
  });
}

function showError(error) {
  $("error").textContent = String(error.message || error);
  $("error").hidden = false;
}

function clearError() { $("error").hidden = true; }

// -- the settings ------------------------------------------------------------------
const fieldElements = () => [...document.querySelectorAll("[data-field]")];

function readForm() {
  const setup = {};
  for (const element of fieldElements()) setup[element.dataset.field] = element.value;
  return setup;
}

function fillForm(setup) {
  page.setup = setup;
  for (const element of fieldElements()) {
    if (element.tagName === "INPUT" && element === document.activeElement) continue; // being typed into
    const value = setup[element.dataset.field];
    const text = value === null ? "" : value === true ? "1" : value === false ? "0" : String(value);
    if (element.tagName === "SELECT" && ![...element.options].some((o) => o.value === text)) {
      element.add(new Option(text, text));
    }
    element.value = text;
  }
  $("split-shown").textContent = `${Math.round(setup.split * 100)}%`;
  showControlsFor(setup);
}

// Show only the controls that apply to this data and schedule.
function showControlsFor(setup) {
  const show = (selector, visible) => {
    for (const element of document.querySelectorAll(selector)) element.hidden = !visible;
  };
  const features = page.data ? page.data.features.length : 2;
  show(".built-in", !["seed", "csv"].includes(setup.data));
  show(".spirals-only", setup.data === "spirals");
  show(".csv-only", setup.data === "csv");
  show(".axes-only", setup.data === "csv" || features > 2);
  show(".decay-only", !["constant", "plateau"].includes(setup.schedule));
}

// Setups go to the server one at a time, in the order they were made: the
// server's threads could otherwise apply two in either order, and an older
// answer arriving last would put back a form (and hide an error) the learner
// has already changed. The form shows only the newest setup's answer.
let setupsSent = Promise.resolve();
let setupsMade = 0;
let setupsAnswered = 0;

function sendSetup(setup, reset = false) {
  const number = ++setupsMade;
  setupsSent = setupsSent.then(() => applySetup(setup, reset, number));
  return setupsSent;
}

async function applySetup(setup, reset, number) {
  try {
    const answer = await post("/api/setup", { setup, reset }).finally(() => {
      setupsAnswered = number;
    });
    clearError();
    history.replaceState(null, "", "#" + answer.fragment);
    if (number === setupsMade) fillForm(answer.setup);
  } catch (error) {
    showError(error);
  }
}

function fromFragment(fragment) {
  return Object.fromEntries(new URLSearchParams(fragment.replace(/^#/, "")));
}

// New choices for a select; the one chosen stays chosen if it is still offered.
function setOptions(select, pairs) {
  const chosen = select.value;
  select.replaceChildren(...pairs.map(([value, text]) => new Option(text, value)));
  if (pairs.some(([value]) => value === chosen)) select.value = chosen;
}

// The choices that depend on the data: the CSV file's columns, the features.
function fillChoices() {
  const columns = page.csv ? page.csv.columns : [];
  setOptions($("target"), columns.map((c) => [c, c]));
  $("csv-name").textContent = page.csv
    ? `${page.csv.name}: ${columns.length} columns` : "Upload a CSV file with a header row.";
  const features = page.data.features;
  // "" lets the server choose: the first features the other axis does not show
  const choices = [["", "(automatic)"], ...features.map((f) => [f, f])];
  setOptions($("x_axis"), choices);
  setOptions($("y_axis"), choices);
}

function setHidden(widths) {
  $("hidden").value = widths.join(",");
  sendSetup(readForm());
}

const hiddenWidths = () => $("hidden").value.split(",").map((w) => w.trim()).filter(Boolean).map(Number);

async function uploadCsv(file) {
  try {
    const answer = await api(`/api/upload?name=${encodeURIComponent(file.name)}`, {
      method: "POST", body: await file.arrayBuffer(), headers: { "Content-Type": "text/csv" },
    });
    page.csv = answer.csv;
    const setup = readForm();
    const columns = answer.csv.columns;
    setup.data = "csv";
    setup.target = columns.includes(setup.target) ? setup.target : columns[columns.length - 1];
    setup.x_axis = setup.y_axis = "";
    setOptions($("target"), columns.map((c) => [c, c]));
    $("target").value = setup.target; // shown at once, not after the server's answer
    await sendSetup(setup, true);
  } catch (error) {
    showError(error);
  }
}

// -- polling -----------------------------------------------------------------------
async function poll() {
  let pause = POLL_MS;
  try {
    const run = page.run === null ? "" : page.run;
    // the setups the server had applied when asked (none pending), if any
    const settled = setupsAnswered === setupsMade ? setupsMade : null;
    render(await api(`/api/state?run=${run}&since=${page.loss.length}`), settled);
  } catch (error) {
    showError(`The playground server does not answer (${error.message}); is it still running?`);
    pause = RETRY_MS;
  }
  setTimeout(poll, pause);
}

function render(state, settled) {
  if (state.run !== page.run) newRun(state, settled);
  const history = state.history;
  page.loss = page.loss.slice(0, history.from).concat(history.loss);
  page.valLoss = page.valLoss.slice(0, history.from).concat(history.val_loss);
  page.running = state.running;
  showNumbers(state);
  drawCurves();
  showGradients(state.grad_norms);
  showFindings(state.findings, state.epoch);
  if (state.drawing.version !== page.drawn) {
    page.drawing = state.drawing;
    page.drawn = state.drawing.version;
    $("boundary").dataset.epoch = state.drawing.epoch; // which epoch is drawn
    drawBoundary();
    drawNeurons();
    drawWeights();
    showAccuracy();
    showFormula();
    countUpdate();
  }
}

// ``settled``: how many setups the server had applied when this state was asked
// for, or null if one was still on its way.
function newRun(state, settled) {
  Object.assign(page, {
    run: state.run, data: state.data, csv: state.csv, loss: [], valLoss: [],
    drawn: -1, selected: null,
  });
  fillChoices();
  // a run asked for before the newest setup was applied is not the learner's:
  // its form would put back (and hide) fields the learner has since changed
  if (settled === setupsMade) {
    fillForm(state.setup);
    history.replaceState(null, "", "#" + state.fragment);
  }
  const notes = state.data.notes;
  $("notes").replaceChildren(...notes.map((note) => item(capitalised(note) + ".")));
  $("notes").hidden = notes.length === 0;
  $("formula").textContent = "Click a neuron to see its formula with its current numbers.";
  drawAxes();
  drawPoints();
  drawLegend();
  buildNetwork();
}

function showNumbers(state) {
  const epoch = state.epoch.toLocaleString("en-US");
  $("epoch").textContent = state.limit ? `${epoch} / ${state.limit.toLocaleString("en-US")}` : epoch;
  $("status").textContent = state.status;
  $("loss").textContent = number(page.loss[page.loss.length - 1], 4);
  $("val-loss").textContent = number(page.valLoss[page.valLoss.length - 1], 4);
  $("lr").textContent = number(state.lr, 3);
  $("start").textContent = state.running ? "Pause" : "\u25B6 Start";
  const over = ["finished", "diverged", "stopped"].includes(state.status);
  $("start").disabled = over && !state.running;
  $("step").disabled = over || state.running;
}

// -- the decision boundary ---------------------------------------------------------
function drawBoundary() {
  const n = page.data.grid;
  const cells = bytes(page.drawing.boundary); // per cell: class, sureness 0..255
  const image = new ImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    // faint where the network is unsure, deep where it is sure
    const share = 0.15 + 0.6 * (cells[2 * i + 1] / 255);
    setPixel(image, i, mix([255, 255, 255], classColour(cells[2 * i]), share));
  }
  paint($("boundary"), image);
}

// The canvas position of a point of the plane (in the features' own units).
function toCanvas(x, y, canvas) {
  const [left, right, bottom, top] = page.data.extent;
  return [(x - left) / (right - left) * canvas.width, (top - y) / (top - bottom) * canvas.height];
}

function drawPoints() {
  const canvas = $("points");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const points = page.data.points;
  const radius = points.x.length < 50 ? 6 : 3.5; // a few points: larger
  for (let i = 0; i < points.x.length; i++) {
    const [x, y] = toCanvas(points.x[i], points.y[i], canvas);
    context.beginPath();
    context.arc(x, y, radius, 0, 2 * Math.PI);
    context.fillStyle = rgb(classColour(points.label[i]));
    context.fill();
    context.lineWidth = 1.3;
    context.strokeStyle = points.test[i] ? "#000" : "#fff";
    context.stroke();
  }
}

function drawAxes() {
  const [left, right, bottom, top] = page.data.extent;
  const [across, up] = page.data.axes;
  $("x-low").textContent = number(left, 3);
  $("x-high").textContent = number(right, 3);
  $("y-low").textContent = number(bottom, 3);
  $("y-high").textContent = number(top, 3);
  $("x-label").textContent = across;
  $("y-label").textContent = up;
  $("boundary").dataset.extent = JSON.stringify(page.data.extent);
}

function drawLegend() {
  $("legend").replaceChildren(...page.data.classes.map((name, index) => {
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = rgb(classColour(index));
    const entry = item(name);
    entry.prepend(swatch);
    return entry;
  }));
}

function showAccuracy() {
  const { accuracy, test_accuracy: test } = page.drawing;
  const percent = (value) => `${(100 * value).toFixed(1)}%`;
  $("accuracy").textContent = `Accuracy: training ${percent(accuracy)}, ` +
    (test === null ? "no test points" : `test ${percent(test)}`);
}

// -- the network: neurons as small images, weights as lines ------------------------
const COLUMN_WIDTH = 110;
const ROW_HEIGHT = 46;
const TOP = 34; // room for each column's heading

function buildNetwork() {
  const box = $("network");
  box.querySelectorAll(".node, .input-node, .layer-head").forEach((e) => e.remove());
  const sizes = page.data.sizes;
  const size = page.data.neuron_grid;
  page.nodes = [];
  page.lines = [];
  let budget = 64; // as many neuron images as the server draws
  sizes.forEach((width, column) => {
    const x = 10 + column * COLUMN_WIDTH;
    const centres = [];
    box.append(layerHead(column, sizes, x));
    const shown = column === 0 ? width : Math.min(width, budget);
    if (column > 0) budget -= shown;
    for (let unit = 0; unit < shown; unit++) {
      const y = TOP + unit * ROW_HEIGHT;
      const node = column === 0 ? inputNode(page.data.inputs[unit]) : neuronNode(column - 1, unit, size);
      node.style.left = `${x}px`;
      node.style.top = `${column === 0 ? y + 6 : y}px`;
      box.append(node);
      centres.push([x + 18, y + 18]);
    }
    page.nodes.push(centres);
  });
  const rows = Math.max(...page.nodes.map((c) => c.length), 1);
  const svg = $("weights");
  svg.setAttribute("width", 10 + sizes.length * COLUMN_WIDTH);
  svg.setAttribute("height", TOP + rows * ROW_HEIGHT);
  svg.replaceChildren();
  box.style.height = `${TOP + rows * ROW_HEIGHT}px`;
}

function layerHead(column, sizes, x) {
  const head = document.createElement("div");
  head.className = "layer-head";
  head.style.left = `${x - 24}px`;
  head.style.top = "0px";
  const last = column === sizes.length - 1;
  if (column === 0) head.textContent = "inputs";
  else if (last) head.textContent = "outputs";
  else {
    const index = column - 1;
    const change = (step) => () => {
      const widths = hiddenWidths();
      widths[index] = Math.min(512, Math.max(1, widths[index] + step));
      setHidden(widths);
    };
    head.append(button("\u2212", change(-1), `fewer neurons in hidden layer ${column}`),
      ` ${sizes[column]} `, button("+", change(+1), `more neurons in hidden layer ${column}`));
  }
  return head;
}

function inputNode(name) {
  const node = document.createElement("div");
  node.className = "input-node";
  node.textContent = name;
  node.title = name;
  return node;
}

function neuronNode(layer, unit, size) {
  const node = document.createElement("canvas");
  node.className = "node";
  node.width = node.height = size;
  node.dataset.layer = layer;
  node.dataset.unit = unit;
  node.title = `${neuronName(layer, unit)}: click for its formula`;
  node.addEventListener("click", () => {
    document.querySelectorAll(".node.selected").forEach((n) => n.classList.remove("selected"));
    node.classList.add("selected");
    page.selected = { layer, unit };
    showFormula();
  });
  return node;
}

function drawNeurons() {
  const size = page.data.neuron_grid;
  const outputLayer = page.data.sizes.length - 2;
  page.drawing.neurons.forEach((text, layer) => {
    const all = bytes(text); // the layer's images, one after the other
    for (let unit = 0; unit < all.length / (size * size); unit++) {
      const node = document.querySelector(`.node[data-layer="${layer}"][data-unit="${unit}"]`);
      if (!node) continue;
      const values = all.subarray(unit * size * size, (unit + 1) * size * size);
      const image = new ImageData(size, size);
      // an output neuron: its class's probability; a hidden one: its sign and size
      const colour = layer === outputLayer ? outputColour(unit) : null;
      for (let i = 0; i < size * size; i++) {
        const t = values[i] / 127.5 - 1; // -1 .. 1
        setPixel(image, i, colour
          ? mix([255, 255, 255], colour, values[i] / 255)
          : mix([255, 255, 255], t > 0 ? POSITIVE : NEGATIVE, Math.abs(t)));
      }
      node.getContext("2d").putImageData(image, 0, 0);
    }
  });
}

// One sigmoid output gives the probability of the second class.
function outputColour(unit) {
  return classColour(page.data.sizes[page.data.sizes.length - 1] === 1 ? 1 : unit);
}

function drawWeights() {
  const weights = page.drawing.weights;
  const svg = $("weights");
  if (!weights) { svg.replaceChildren(); page.lines = []; return; }
  if (page.lines.length === 0) makeLines(weights);
  let largest = 1e-12;
  for (const { W } of weights) for (const row of W) for (const w of row) largest = Math.max(largest, Math.abs(w));
  weights.forEach(({ W }, layer) => {
    W.forEach((row, from) => row.forEach((w, to) => {
      const line = page.lines[layer] && page.lines[layer][from] && page.lines[layer][from][to];
      if (!line) return;
      const size = Math.abs(w) / largest;
      line.setAttribute("stroke-width", (0.4 + 4 * size).toFixed(2));
      line.setAttribute("stroke", rgb(w > 0 ? POSITIVE : NEGATIVE));
      line.setAttribute("stroke-opacity", (0.25 + 0.75 * size).toFixed(2));
    }));
  });
}

function makeLines(weights) {
  const svg = $("weights");
  page.lines = weights.map(({ W }, layer) => W.map((row, from) => row.map((_, to) => {
    const start = page.nodes[layer][from];
    const end = page.nodes[layer + 1][to];
    if (!start || !end) return null;
    const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
    line.setAttribute("x1", start[0] + 18);
    line.setAttribute("y1", start[1]);
    line.setAttribute("x2", end[0] - 18);
    line.setAttribute("y2", end[1]);
    svg.append(line);
    return line;
  })));
}

function neuronName(layer, unit) {
  const last = layer === page.data.sizes.length - 2;
  return last ? `output ${unit + 1}` : `h${layer + 1}_${unit + 1}`;
}

// The clicked neuron's formula, with the current weights written out.
function showFormula() {
  const selected = page.selected;
  if (!selected || !page.drawing) return;
  const weights = page.drawing.weights;
  if (!weights) {
    $("formula").textContent = "This network has too many weights to show formulas; use fewer or narrower layers.";
    return;
  }
  const { layer, unit } = selected;
  const { W, b } = weights[layer];
  const inputs = layer === 0 ? page.data.inputs : W.map((_, i) => `h${layer}_${i + 1}`);
  let sum = inputs.map((name, i) => signed(W[i][unit], i === 0) + `\u00b7${name}`).join("");
  if (b) sum += signed(b[unit], false);
  const name = neuronName(layer, unit);
  const data = page.data;
  let text;
  if (layer < data.sizes.length - 2) {
    const f = ACTIVATION_TEXT[data.activation];
    text = `${name} = ${f}(w \u00b7 x${b ? " + b" : ""})\n${" ".repeat(name.length)} = ${f}(${sum})`;
  } else if (data.loss === "cross_entropy") {
    const k = data.sizes[data.sizes.length - 1];
    text = `z${unit + 1} = w \u00b7 h${b ? " + b" : ""} = ${sum}\n` +
      `p(${data.classes[unit]}) = softmax(z)${unit + 1} = exp(z${unit + 1}) / (exp(z1) + \u2026 + exp(z${k}))`;
  } else if (data.loss === "binary_cross_entropy") {
    text = `z = w \u00b7 h${b ? " + b" : ""} = ${sum}\np(${data.classes[1]}) = sigmoid(z) = 1 / (1 + exp(\u2212z))`;
  } else { // the seed's output neuron: a sigmoid of its inputs, x or h
    const x = layer === 0 ? "x" : "h";
    text = `p(${data.classes[1]}) = sigmoid(w \u00b7 ${x}${b ? " + b" : ""})\n` +
      `${" ".repeat(data.classes[1].length + 3)} = sigmoid(${sum})`;
  }
  $("formula").textContent = text;
}

// -- the loss curves, gradient norms and diagnosis -------------------------------
function drawCurves() {
  const canvas = $("curves");
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const n = page.loss.length;
  let low = Infinity;
  let high = -Infinity;
  for (const v of page.loss.concat(page.valLoss)) {
    if (v !== null && v > 0) { low = Math.min(low, Math.log10(v)); high = Math.max(high, Math.log10(v)); }
  }
  if (n === 0 || low === Infinity) return;
  if (high - low < 0.1) { low -= 0.05; high += 0.05; }
  const pad = 6;
  const x = (i) => pad + (i / Math.max(n - 1, 1)) * (width - 2 * pad);
  const y = (v) => pad + (high - Math.log10(v)) / (high - low) * (height - 2 * pad - 12);
  const every = Math.max(1, Math.floor(n / width)); // about one point per pixel
  for (const [series, colour] of [[page.loss, "#333"], [page.valLoss, "#d62728"]]) {
    context.beginPath();
    context.strokeStyle = colour;
    let started = false;
    for (let i = 0; i < series.length; i += every) {
      const v = series[Math.min(i + every - 1, series.length - 1)];
      if (v === null || !(v > 0)) continue;
      const at = Math.min(i + every - 1, series.length - 1);
      if (started) context.lineTo(x(at), y(v)); else context.moveTo(x(at), y(v));
      started = true;
    }
    context.stroke();
  }
  context.fillStyle = "#666";
  context.font = "11px sans-serif";
  context.fillText(number(10 ** high, 3), pad, pad + 9);
  context.fillText(number(10 ** low, 3), pad, height - 16);
  context.fillText(`epoch ${n.toLocaleString("en-US")}`, width - 90, height - 2);
}

function showGradients(norms) {
  const sizes = page.data.sizes;
  $("gradients").replaceChildren(...norms.map((norm, layer) => {
    const entry = document.createElement("li");
    const bar = document.createElement("span");
    bar.className = "bar";
    // log scale: 1e-6 .. 1e2 across the column
    const share = Math.min(Math.max((Math.log10(norm || 1e-12) + 6) / 8, 0), 1);
    bar.style.width = `${(100 * share).toFixed(1)}%`;
    const label = document.createElement("span");
    label.textContent = `${sizes[layer]}\u2192${sizes[layer + 1]}`;
    const value = document.createElement("span");
    value.textContent = number(norm, 3);
    entry.append(label, bar, value);
    return entry;
  }));
}

function showFindings(findings, epoch) {
  const shown = findings.length
    ? findings.map((text) => { const li = item(text); li.className = "problem"; return li; })
    : [item(epoch ? "No problem found so far." : "Train to see the diagnosis.")];
  $("findings").replaceChildren(...shown);
}

function countUpdate() {
  const now = performance.now();
  page.updates.push(now);
  while (page.updates[0] < now - 1000) page.updates.shift();
  const drawing = `drawing takes ${page.drawing.milliseconds} ms on the server`;
  $("rate").textContent = page.running
    ? `${page.updates.length} updates a second; ${drawing}` : capitalised(drawing) + ".";
}

// -- small helpers -----------------------------------------------------------------
function bytes(base64) { return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)); }

function paint(canvas, image) {
  const small = document.createElement("canvas");
  small.width = image.width;
  small.height = image.height;
  small.getContext("2d").putImageData(image, 0, 0);
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = true;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
}

function setPixel(image, index, colour) {
  image.data.set([colour[0], colour[1], colour[2], 255], 4 * index);
}

function mix(from, to, share) { return from.map((v, k) => Math.round(v + share * (to[k] - v))); }

function classColour(index) {
  if (index < PALETTE.length) {
    const hex = PALETTE[index];
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }
  return hslToRgb((index * 137.5) % 360, 0.6, 0.5);
}

function hslToRgb(hue, saturation, lightness) {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const f = (n) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const rgb = (c) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

function number(value, digits) {
  if (value === null || value === undefined) return "\u2013";
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size !== 0 && (size < 1e-3 || size >= 1e5)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

// A term of a sum: "0.5", " + 0.5" or " - 0.5" (the first without a plus).
function signed(value, first) {
  const text = number(Math.abs(value), 3);
  if (first) return value < 0 ? `\u2212${text}` : text;
  return value < 0 ? ` \u2212 ${text}` : ` + ${text}`;
}

function item(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

function button(text, action, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  b.addEventListener("click", action);
  return b;
}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// -- the buttons -----------------------------------------------------------------
function control(action) {
  post("/api/control", { action }).then(clearError, showError);
}

async function downloadModel() {
  try {
    const blob = await api("/api/model");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "playground.npz";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (error) {
    showError(error);
  }
}

async function showCode() {
  try {
    $("code").textContent = await api("/api/code");
    $("code-panel").hidden = false;
    $("code-panel").scrollIntoView({ behavior: "smooth" });
  } catch (error) {
    showError(error);
  }
}

function copyText(text, button) {
  const said = button.textContent;
  navigator.clipboard.writeText(text).then(() => {
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = said; }, 1500);
  }, () => showError("The browser did not let the page copy; select the text and copy it."));
}

function bindControls() {
  for (const element of fieldElements()) {
    element.addEventListener("change", () => {
      const setup = readForm();
      // another data set or target has other features: draw the first two
      if (element.id === "data" || element.id === "target") setup.x_axis = setup.y_axis = "";
      showControlsFor(setup); // at once: the CSV file's field before the file
      sendSetup(setup);
    });
  }
  $("split").addEventListener("input", () => {
    $("split-shown").textContent = `${Math.round($("split").value * 100)}%`;
  });
  $("start").addEventListener("click", () => control(page.running ? "pause" : "start"));
  $("step").addEventListener("click", () => control("step"));
  $("reset").addEventListener("click", () => control("reset"));
  $("download").addEventListener("click", downloadModel);
  $("show-code").addEventListener("click", showCode);
  $("hide-code").addEventListener("click", () => { $("code-panel").hidden = true; });
  $("copy-code").addEventListener("click", () => copyText($("code").textContent, $("copy-code")));
  $("copy-link").addEventListener("click", () => copyText(location.href, $("copy-link")));
  $("add-layer").addEventListener("click", () => setHidden([...hiddenWidths(), 4]));
  $("remove-layer").addEventListener("click", () => setHidden(hiddenWidths().slice(0, -1)));
  $("upload").addEventListener("change", () => {
    const file = $("upload").files[0];
    if (file) uploadCsv(file);
  });
  window.addEventListener("hashchange", () => sendSetup(fromFragment(location.hash)));
}

async function start() {
  bindControls();
  if (location.hash.length > 1) await sendSetup(fromFragment(location.hash));
  poll();
}

start();
