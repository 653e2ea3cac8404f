// The workbench's page: a parameter panel built from GET /api/programmes, results from
// POST /api/simulate and /api/tables (the summary.json and tables/*.csv of `microsim run`), the
// 2026-2035 path from POST /api/project, a household calculator on POST /api/household, two
// reforms side by side, and the whole state in the page's address (docs/serve.md).
"use strict";

const F = window.format;
const REPLICATES = 20; // as `microsim run` makes unless --no-intervals
const DEBOUNCE_MS = 200; // a slider sends its value once it rests this long
const REFORM_KEYS = ["a", "b"];
const FIRST_YEAR = 2019, LAST_YEAR = 2035; // the years a request may ask (microsim/web/requests.py)
const GROUPS = [["age group", "Age group"], ["zone", "Zone"], ["sex", "Sex"]];
const ZONE_WORDS = {phnom_penh: "Phnom Penh", other_urban: "Other urban", rural: "Rural"};
const COLOURS = {baseline: "#8c96a3", reform: ["#1f6fb2", "#c2571a"], cost: "#6a9bc8"};

const state = {
  year: 2026, compare: false, intervals: false, path: false, allow: false, editing: 0,
  reforms: [{name: "Reform A", reform: {}}, {name: "Reform B", reform: {}}],
};
let catalogue = null; // GET /api/programmes for state.year
let parameters = {}; // path -> parameter of the catalogue
let generation = 0; // answers of an older state are dropped
let timer = null;
const charts = new Map(); // canvas id -> Chart, destroyed before it is drawn again

// ---- the page's address: year, options, and each reform's name and overrides -------------
function parseValue(text) {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text !== "" && !Number.isNaN(Number(text))) return Number(text);
  return text;
}

function readAddress() {
  const query = new URLSearchParams(location.hash.slice(1));
  const year = Number(query.get("year"));
  if (Number.isInteger(year) && year >= FIRST_YEAR && year <= LAST_YEAR) state.year = year;
  state.compare = query.get("compare") === "1";
  state.intervals = query.get("intervals") === "1";
  state.path = query.get("path") === "1";
  state.allow = query.get("allow") === "1";
  REFORM_KEYS.forEach((key, index) => {
    const reform = state.reforms[index];
    reform.name = query.get(`${key}.name`) || reform.name;
    for (const [name, value] of query) {
      if (name.startsWith(`${key}.`) && name !== `${key}.name`) reform.reform[name.slice(2)] = parseValue(value);
    }
  });
}

function writeAddress() {
  const query = new URLSearchParams();
  query.set("year", state.year);
  for (const option of ["compare", "intervals", "path", "allow"]) if (state[option]) query.set(option, "1");
  REFORM_KEYS.slice(0, state.compare ? 2 : 1).forEach((key, index) => {
    const reform = state.reforms[index];
    query.set(`${key}.name`, reform.name);
    for (const [path, value] of Object.entries(reform.reform)) query.set(`${key}.${path}`, String(value));
  });
  history.replaceState(null, "", `#${query.toString()}`);
}

// ---- requests ------------------------------------------------------------------------------
async function post(endpoint, body) {
  const response = await fetch(`/api/${endpoint}`, {
    method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)});
  if (response.ok) return response;
  let detail = [{loc: ["body"], msg: `${response.status} ${response.statusText}`}];
  try { detail = (await response.json()).detail || detail; } catch (error) { /* not JSON */ }
  const failure = new Error(detail.map((d) => d.msg).join(" "));
  failure.detail = detail;
  throw failure;
}

function requestOf(index, extra = {}) {
  const reform = state.reforms[index];
  return {name: reform.name, year: state.year, reform: reform.reform, allow: state.allow, ...extra};
}

function shownReforms() {
  return state.compare ? [0, 1] : [0];
}

// ---- the parameter panel -------------------------------------------------------------------
function step(parameter) {
  const unit = parameter.unit || "";
  if (unit.startsWith("riels")) return 1000;
  if (unit === "share") return 0.01;
  if (unit.startsWith("multiple")) return 0.05;
  return Number.isInteger(parameter.value) ? 1 : 0.01;
}

function sliderRange(parameter) {
  const [low, high] = parameter.plausible || [0, Math.max(1, 2 * (parameter.value || 1))];
  if ((parameter.unit || "").startsWith("riels")) {  // the plausible range is wide: the slider covers the usual part
    return [low, Math.min(high, Math.max(4 * (parameter.value || 0), 400000))];
  }
  return [low, high];
}

function valueOf(index, path) {
  const overrides = state.reforms[index].reform;
  return path in overrides ? overrides[path] : parameters[path].value;
}

function setValue(path, value, immediate) {
  const overrides = state.reforms[state.editing].reform;
  if (value === parameters[path].value) delete overrides[path]; else overrides[path] = value;
  markChanged(path);
  schedule(immediate);
}

function rangeProblem(parameter, value) {
  if (typeof value !== "number" || Number.isNaN(value)) return "expected a number";
  if (!parameter.plausible || state.allow) return "";
  const [low, high] = parameter.plausible;
  if (value < low || value > high) {
    return `must be between ${F.plain(low, 0)} and ${F.plain(high, low % 1 || high % 1 ? 2 : 0)} ` +
      "(its plausible range); tick “Accept values outside the plausible ranges” to try it anyway";
  }
  return "";
}

function fieldId(path) {
  return `parameter-${path.replace(/\./g, "--")}`;
}

function control(parameter) {
  const path = parameter.path;
  const row = document.createElement("div");
  row.className = "parameter";
  row.dataset.path = path;
  const label = document.createElement("label");
  label.htmlFor = fieldId(path);
  label.textContent = parameter.description || path;
  label.title = `${path}${parameter.reference ? `\nReference: ${parameter.reference}` : ""}`;
  row.append(label);
  const value = valueOf(state.editing, path);
  const field = document.createElement("div");
  field.className = "field";
  if (parameter.unit === "flag" || typeof parameter.value === "boolean") {
    const box = document.createElement("input");
    box.type = "checkbox"; box.id = fieldId(path); box.checked = Boolean(value);
    box.addEventListener("change", () => setValue(path, box.checked, true));
    field.append(box);
  } else if (parameter.allowed) {
    const select = document.createElement("select");
    select.id = fieldId(path);
    for (const option of parameter.allowed) select.append(new Option(option, option, false, option === value));
    select.addEventListener("change", () => setValue(path, select.value, true));
    field.append(select);
  } else if (typeof parameter.value === "number") {
    const [low, high] = sliderRange(parameter);
    const slider = document.createElement("input");
    slider.type = "range"; slider.min = low; slider.max = high; slider.step = step(parameter);
    slider.value = value; slider.setAttribute("aria-label", `${parameter.description} (slider)`);
    const number = document.createElement("input");
    number.type = "number"; number.id = fieldId(path); number.step = step(parameter); number.value = value;
    const unit = document.createElement("span");
    unit.className = "unit"; unit.textContent = parameter.unit;
    const accept = (text, immediate) => {
      const chosen = Number(text);
      const problem = rangeProblem(parameter, chosen);
      showFieldError(path, problem);
      if (!problem) setValue(path, chosen, immediate);
    };
    slider.addEventListener("input", () => { number.value = slider.value; accept(slider.value, false); });
    number.addEventListener("change", () => { slider.value = number.value; accept(number.value, true); });
    field.append(slider, number, unit);
  } else {
    const text = document.createElement("input");
    text.id = fieldId(path); text.value = value ?? "";
    text.addEventListener("change", () => setValue(path, text.value, true));
    field.append(text);
  }
  row.append(field);
  const law = document.createElement("div");
  law.className = "law";
  law.innerHTML = `Current law ${state.year}: <b></b> <button type="button" class="undo" title="Back to current law">↺</button>`;
  law.querySelector("b").textContent = F.withUnit(parameter.value, parameter.unit);
  law.querySelector("button").addEventListener("click", () => {
    delete state.reforms[state.editing].reform[path];
    showFieldError(path, "");
    buildPanel();
    schedule(true);
  });
  row.append(law);
  const error = document.createElement("div");
  error.className = "error"; error.setAttribute("role", "alert");
  row.append(error);
  return row;
}

function showFieldError(path, message) {
  const row = document.querySelector(`.parameter[data-path="${CSS.escape(path)}"]`);
  if (row) { row.querySelector(".error").textContent = message; row.classList.toggle("refused", Boolean(message)); }
}

function markChanged(path) {
  const row = document.querySelector(`.parameter[data-path="${CSS.escape(path)}"]`);
  if (row) row.classList.toggle("changed", path in state.reforms[state.editing].reform);
  for (const details of document.querySelectorAll("#programmes details")) {
    const name = details.dataset.programme;
    const count = Object.keys(state.reforms[state.editing].reform).filter((p) => p.startsWith(`${name}.`)).length;
    details.querySelector(".count").textContent = count ? `${count} changed` : "";
  }
}

function buildPanel() {
  const holder = document.getElementById("programmes");
  const open = new Set([...holder.querySelectorAll("details[open]")].map((d) => d.dataset.programme));
  holder.replaceChildren();
  for (const programme of catalogue.programmes.filter((p) => !p.follows)) {  // a follower is set by its scheme
    const details = document.createElement("details");
    details.dataset.programme = programme.name;
    const changed = Object.keys(state.reforms[state.editing].reform).some((p) => p.startsWith(`${programme.name}.`));
    details.open = open.has(programme.name) || (open.size === 0 && changed);
    const summary = document.createElement("summary");
    summary.innerHTML = `<span class="label"></span> <span class="badge"></span> <span class="count"></span>`;
    summary.querySelector(".label").textContent = programme.label;
    summary.querySelector(".badge").textContent = programme.active ? "in force" : "not in force";
    summary.querySelector(".badge").classList.add(programme.active ? "on" : "off");
    summary.title = programme.description || "";
    details.append(summary);
    for (const parameter of programme.parameters) details.append(control(parameter));
    holder.append(details);
  }
  for (const path of Object.keys(state.reforms[state.editing].reform)) markChanged(path);
  document.getElementById("reform-name").value = state.reforms[state.editing].name;
  buildTabs();
}

function buildTabs() {
  const tabs = document.getElementById("reform-tabs");
  tabs.replaceChildren();
  shownReforms().forEach((index) => {
    const tab = document.createElement("button");
    tab.type = "button"; tab.setAttribute("role", "tab");
    tab.textContent = `Edit ${state.compare ? REFORM_KEYS[index].toUpperCase() : "the reform"}`;
    tab.setAttribute("aria-selected", String(index === state.editing));
    tab.className = `tab tab-${index}`;
    tab.addEventListener("click", () => { state.editing = index; buildPanel(); });
    tabs.append(tab);
  });
}

// ---- results -------------------------------------------------------------------------------
function schedule(immediate) {
  writeAddress();
  clearTimeout(timer);
  timer = setTimeout(update, immediate ? 0 : DEBOUNCE_MS);
}

function setStatus(text, busy) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("busy", Boolean(busy));
}

async function update() {
  const mine = ++generation;
  const started = performance.now();
  setStatus("Simulating…", true);
  document.getElementById("request-error").textContent = "";
  const extra = state.intervals ? {replicates: REPLICATES} : {};
  try {
    const answers = await Promise.all(shownReforms().map(async (index) => {
      const summary = await (await post("simulate", requestOf(index, extra))).json();
      const tables = await (await post("tables", requestOf(index, extra))).json();
      return {index, summary, tables: tables.tables};
    }));
    if (mine !== generation) return;
    renderColumns(answers);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    setStatus(`Simulated ${state.year} in ${seconds} s${state.intervals ? ` with ${REPLICATES} replicates` : ""}.`);
    document.body.dataset.ready = String(mine);  // the browser test waits for this
    if (state.path) updatePath(mine); else document.getElementById("path-section").hidden = true;
    updateHousehold();
  } catch (failure) {
    if (mine !== generation) return;
    showRequestError(failure);
    setStatus("The server refused the reform: see the message beside the field.");
  }
}

function showRequestError(failure) {
  const general = [];
  for (const detail of failure.detail || [{msg: String(failure)}]) {
    const loc = detail.loc || [];
    const path = loc.length >= 3 && (loc[1] === "reform" || loc[1] === "baseline") ? loc[2] : null;
    if (path && parameters[path]) showFieldError(path, detail.msg); else general.push(detail.msg);
  }
  document.getElementById("request-error").textContent = general.join(" ");
}

function interval(summary, field, digits, unit) {
  const intervals = summary.years[0].intervals;
  const band = intervals && intervals.headline[field];
  if (!band) return "";
  return ` <span class="interval">(95 %: ${F.plain(band.low, digits)} to ${F.plain(band.high, digits)}${unit})</span>`;
}

function card(title, main, lines) {
  return `<div class="card"><h3>${title}</h3><div class="main">${main}</div>${lines.map((l) => `<div>${l}</div>`).join("")}</div>`;
}

function overrideText(value) {
  // a schedule by year (a reform phased in, sent through the API) reads "80 from 2026; 65 from 2032"
  if (value !== null && typeof value === "object") {
    return Object.entries(value).map(([year, v]) => `${v} from ${year}`).join("; ");
  }
  return String(value);
}

function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

function headlineCards(summary) {
  const h = summary.headline;
  return [
    card("Net cost of the reform", `<span data-figure="cost">${F.riels(h.cost_change_riels_per_year)}</span> a year`,
      [F.usd(h.cost_change_usd_per_year), `${F.pct(h.cost_change_pct_gdp, 2)} of GDP`,
       `${F.pct(h.cost_change_pct_government_spending, 1)} of government spending`]),
    card("Poverty headcount", `${F.pct(h.poverty_rate_baseline_pct)} → <span data-figure="poverty">${F.pct(h.poverty_rate_reform_pct)}</span>`,
      [`change ${F.pp(h.poverty_rate_change_pp)}${interval(summary, "poverty_rate_change_pp", 2, " pp")}`,
       interval(summary, "poverty_rate_reform_pct", 1, " %") ? `reform${interval(summary, "poverty_rate_reform_pct", 1, " %")}`
         : `${F.persons(h.poor_persons_reform)} poor persons`]),
    card("Poverty gap", `${F.pct(h.poverty_gap_baseline_pct, 2)} → ${F.pct(h.poverty_gap_reform_pct, 2)}`,
      [`severity (×100) ${F.plain(h.poverty_severity_baseline_x100, 2)} → ${F.plain(h.poverty_severity_reform_x100, 2)}`,
       `Gini ${F.plain(h.gini_baseline, 3)} → ${F.plain(h.gini_reform, 3)}`]),
    card("Persons lifted out of poverty", `<span data-figure="lifted">${F.persons(h.persons_lifted_out_of_poverty)}</span>`,
      [`${interval(summary, "persons_lifted_out_of_poverty", 0, "")}`.trim() || "&nbsp;",
       `fallen into poverty: ${F.persons(h.persons_fallen_into_poverty)}`,
       `cost per person lifted: ${F.riels(h.cost_per_person_lifted_riels_per_year)} (${F.usd(h.cost_per_person_lifted_usd_per_year)}) a year`]),
  ].join("");
}

function rowsOf(table, breakdown) {
  return records(table).filter((row) => row.breakdown === breakdown);
}

function records(table) {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));
}

function draw(id, config) {
  if (charts.has(id)) charts.get(id).destroy();
  const canvas = document.getElementById(id);
  if (!canvas || !window.Chart) return;
  config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false,
    plugins: {legend: {position: "bottom"}}}, config.options || {});
  charts.set(id, new window.Chart(canvas, config));
}

function povertyChart(id, tables, colour) {
  const labels = [], baseline = [], reform = [];
  for (const [breakdown, word] of GROUPS) {
    for (const row of rowsOf(tables.poverty, breakdown)) {
      labels.push(`${word}: ${ZONE_WORDS[row.group] || row.group}`);
      baseline.push(row["headcount baseline (%)"]);
      reform.push(row["headcount reform (%)"]);
    }
  }
  draw(id, {type: "bar", data: {labels, datasets: [
    {label: "baseline", data: baseline, backgroundColor: COLOURS.baseline},
    {label: "reform", data: reform, backgroundColor: colour}]},
  options: {indexAxis: "y", scales: {x: {title: {display: true, text: "poor persons (% of the group)"}}}}});
}

function incidenceChart(id, tables, colour) {
  const rows = records(tables.incidence);
  draw(id, {type: "bar", data: {labels: rows.map((r) => r.decile.replace("decile ", "D")), datasets: [
    {label: "net gain (% of baseline consumption)", data: rows.map((r) => r["extra benefit (% of baseline consumption)"]),
     backgroundColor: colour, yAxisID: "y"},
    {label: "share of the extra benefits (%)", data: rows.map((r) => r["share of extra benefits (%)"]), type: "line",
     borderColor: "#333", backgroundColor: "#333", yAxisID: "share"}]},
  options: {scales: {
    x: {title: {display: true, text: "consumption decile before benefits (D1 poorest)"}},
    y: {title: {display: true, text: "% of baseline consumption"}, beginAtZero: true},
    share: {position: "right", title: {display: true, text: "% of extra benefits"}, beginAtZero: true,
            grid: {drawOnChartArea: false}}}}});
}

function costTable(summary) {
  const rows = summary.years[0].programmes.map((p) => `<tr><td>${escapeHtml(p.label)}${p.in_survey_consumption ? " <span class='muted'>(in survey consumption)</span>" : ""}</td>
    <td class="number">${F.plain(p.cost_baseline_riels_per_year / 1e9, 1)}</td><td class="number">${F.plain(p.cost_reform_riels_per_year / 1e9, 1)}</td>
    <td class="number">${F.plain(p.cost_change_riels_per_year / 1e9, 1)}</td><td class="number">${F.persons(p.recipients_reform_persons)}</td></tr>`);
  return `<table class="data"><caption>Cost by programme, ${summary.scenario.year} (billion riels a year) and recipients</caption>
    <thead><tr><th>Programme</th><th>baseline</th><th>reform</th><th>change</th><th>recipients, reform (persons)</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
}

function socialInsuranceTable(summary, tables) {
  const schemes = summary.years[0].contributions || [];
  if (!schemes.length) return "";
  const rows = schemes.map((c) => `<tr${c.scheme === "total" ? " class='total'" : ""}><td>${escapeHtml(c.label)}</td>
    <td class="number">${F.plain(c.revenue_baseline_riels_per_year / 1e9, 1)}</td>
    <td class="number"${c.scheme === "total" ? " data-figure='contributions'" : ""}>${F.plain(c.revenue_reform_riels_per_year / 1e9, 1)}</td>
    <td class="number">${F.plain(c.workers_share_reform_riels_per_year / 1e9, 1)}</td>
    <td class="number">${F.persons(c.contributors_reform_persons)}</td></tr>`);
  const national = tables.coverage ? records(tables.coverage).find((r) => r.breakdown === "national") : null;
  const coverage = national ? `<p class="muted">Persons in work covered by at least one contributory scheme:
    ${F.pct(national["covered, baseline (%)"], 1)} → <span data-figure="coverage">${F.pct(national["covered, reform (%)"], 1)}</span>
    (SDG 1.3.1 for workers).</p>` : "";
  return `<table class="data"><caption>Social insurance contributions, ${summary.scenario.year} (billion riels a year):
    revenue of the schemes, not a cost; the workers' share comes out of consumption</caption>
    <thead><tr><th>Scheme</th><th>baseline</th><th>reform</th><th>workers' share, reform</th><th>contributors, reform (persons)</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>${coverage}`;
}

function targetingTable(tables, year) {
  const rows = records(tables.targeting).map((r) => `<tr><td>${escapeHtml(r.programme)}</td>
    <td class="number">${F.plain(r["exclusion error: poor not reached (% of poor)"], 1)}</td>
    <td class="number">${F.plain(r["inclusion error: non-poor among reached (% of reached)"], 1)}</td></tr>`);
  return `<table class="data"><caption>Targeting under the reform, ${year}: exclusion error (% of the poor not in a
    receiving household) and inclusion error (% of persons reached who are not poor)</caption>
    <thead><tr><th>Programme</th><th>exclusion error (%)</th><th>inclusion error (%)</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
}

function renderColumns(answers) {
  const columns = document.getElementById("columns");
  columns.classList.toggle("two", answers.length === 2);
  columns.replaceChildren();
  for (const {index, summary, tables} of answers) {
    const colour = COLOURS.reform[index];
    const column = document.createElement("article");
    column.className = `column column-${index}`;
    column.dataset.reform = REFORM_KEYS[index];
    const changes = Object.entries(summary.scenario.reform_overrides);
    column.innerHTML = `<h2 style="border-color:${colour}">${escapeHtml(summary.scenario.name)}</h2>
      <p class="muted">${changes.length ? changes.map(([p, v]) => `<code>${escapeHtml(p)}: ${escapeHtml(overrideText(v))}</code>`).join(" ")
        : "current law (no change)"}</p>
      <div class="cards">${headlineCards(summary)}</div>
      <h3>Poverty headcount by group, ${summary.scenario.year}: baseline and reform</h3>
      <div class="chart tall"><canvas id="poverty-${index}" role="img" aria-label="Poverty headcount by age group, zone and sex"></canvas></div>
      <h3>Incidence by consumption decile, ${summary.scenario.year}: who gains</h3>
      <div class="chart"><canvas id="incidence-${index}" role="img" aria-label="Net gain and share of extra benefits by decile"></canvas></div>
      ${costTable(summary)}
      ${socialInsuranceTable(summary, tables)}
      ${targetingTable(tables, summary.scenario.year)}`;
    columns.append(column);
    povertyChart(`poverty-${index}`, tables, colour);
    incidenceChart(`incidence-${index}`, tables, colour);
  }
  const population = answers[0].summary.population;
  const h = answers[0].summary.headline;
  document.getElementById("population").textContent =
    `${population.kind === "synthetic" ? "Synthetic CSES-like population" : "Population"} ${population.path}: ` +
    `${F.plain(population.households_sample, 0)} sample households representing ${F.persons(h.population_persons)} persons ` +
    `in ${state.year}. Amounts in ${state.year} riels.`;
}

async function updatePath(mine) {
  const section = document.getElementById("path-section");
  section.hidden = false;
  const holder = document.getElementById("path-columns");
  holder.classList.toggle("two", state.compare);
  holder.innerHTML = shownReforms().map((index) => `<div class="column"><p class="muted">Projecting ${escapeHtml(state.reforms[index].name)}…</p>
    <div class="chart"><canvas id="path-${index}" role="img" aria-label="Cost and poverty rate, 2026-2035"></canvas></div></div>`).join("");
  try {
    for (const index of shownReforms()) {
      const projection = await (await post("project", requestOf(index, {first: 2026, last: 2035}))).json();
      if (mine !== generation) return;
      const years = projection.years;
      holder.children[index].querySelector("p").textContent =
        `${state.reforms[index].name}: net cost in billion riels of each year (bars) and poverty headcount (lines)`;
      draw(`path-${index}`, {type: "bar", data: {labels: years.map((y) => y.year), datasets: [
        {label: "net cost (billion riels)", data: years.map((y) => y.headline.cost_change_riels_per_year / 1e9),
         backgroundColor: COLOURS.cost, yAxisID: "y"},
        {label: "poverty, baseline (%)", data: years.map((y) => y.headline.poverty_rate_baseline_pct), type: "line",
         borderColor: COLOURS.baseline, backgroundColor: COLOURS.baseline, yAxisID: "rate"},
        {label: "poverty, reform (%)", data: years.map((y) => y.headline.poverty_rate_reform_pct), type: "line",
         borderColor: COLOURS.reform[index], backgroundColor: COLOURS.reform[index], yAxisID: "rate"}]},
      options: {scales: {y: {title: {display: true, text: "billion riels a year"}, beginAtZero: true},
        rate: {position: "right", title: {display: true, text: "poor persons (%)"}, beginAtZero: true,
               grid: {drawOnChartArea: false}}}}});
    }
    section.dataset.ready = String(mine);  // every reform's path drawn (the browser test waits for this)
  } catch (failure) {
    showRequestError(failure);
  }
}

// ---- the household calculator --------------------------------------------------------------
const household = [{age: 70, sex: "female"}, {age: 41, sex: "male"}, {age: 38, sex: "female"}, {age: 4, sex: "male"}];
const FLAGS = ["disabled", "pregnant", "in_school", "contributory_pension"];
// the work a member does, as the API's fields (none given: the model derives them, and imputes earnings)
const WORK = {
  "": {label: "not given"},
  nssf_employee: {label: "private employee, NSSF member", fields: {labour_status: "wage_employee_private", employment_type: "industry_wage", nssf_member: true}},
  private_employee: {label: "private employee, outside the NSSF", fields: {labour_status: "wage_employee_private", employment_type: "industry_wage"}},
  public_servant: {label: "public servant", fields: {labour_status: "public_servant"}},
  farmer: {label: "own-account farmer", fields: {labour_status: "own_account", employment_type: "agriculture_self_employed"}},
  own_account: {label: "own-account, services", fields: {labour_status: "own_account", employment_type: "services"}},
  employer: {label: "employer", fields: {labour_status: "employer"}},
  unemployed: {label: "unemployed", fields: {labour_status: "unemployed"}},
  inactive: {label: "not working", fields: {labour_status: "inactive"}},
  nssf_retiree: {label: "retired from the NSSF (its pension)", fields: {labour_status: "inactive", nssf_retiree: true}},
};

function memberRequest(member) {
  const row = {age: member.age, sex: member.sex};
  for (const flag of FLAGS) if (member[flag]) row[flag] = true;
  if (member.age >= 15 && member.work) Object.assign(row, WORK[member.work].fields);
  if (member.age >= 15 && member.earnings !== undefined && member.earnings !== "") row.earnings = Number(member.earnings);
  return row;
}

function buildMembers() {
  const body = document.querySelector("#hh-members tbody");
  body.replaceChildren();
  household.forEach((member, position) => {
    const row = document.createElement("tr");
    row.innerHTML = `<td>${position === 0 ? "head" : position + 1}</td>
      <td><input type="number" min="0" max="120" class="age" aria-label="Age of member ${position + 1}"></td>
      <td><select class="sex" aria-label="Sex of member ${position + 1}"><option value="female">female</option><option value="male">male</option></select></td>
      ${FLAGS.map((flag) => `<td><input type="checkbox" class="${flag}" aria-label="${flag.replace("_", " ")} (member ${position + 1})"></td>`).join("")}
      <td><select class="work" aria-label="Work of member ${position + 1}">${Object.entries(WORK).map(([key, w]) => `<option value="${key}">${w.label}</option>`).join("")}</select></td>
      <td><input type="number" min="0" step="10000" class="earnings" placeholder="imputed" aria-label="Earnings of member ${position + 1}, riels a month"></td>
      <td><button type="button" class="remove" title="Remove this member">×</button></td>`;
    row.querySelector(".age").value = member.age;
    row.querySelector(".sex").value = member.sex;
    row.querySelector(".age").addEventListener("change", (e) => { member.age = Number(e.target.value); updateHousehold(); });
    row.querySelector(".sex").addEventListener("change", (e) => { member.sex = e.target.value; updateHousehold(); });
    const work = row.querySelector(".work"), earnings = row.querySelector(".earnings");
    work.value = member.work || "";
    earnings.value = member.earnings ?? "";
    work.addEventListener("change", () => { member.work = work.value; updateHousehold(); });
    earnings.addEventListener("change", () => { member.earnings = earnings.value; updateHousehold(); });
    for (const flag of FLAGS) {
      const box = row.querySelector(`.${flag}`);
      box.checked = Boolean(member[flag]);
      box.addEventListener("change", () => { member[flag] = box.checked; updateHousehold(); });
    }
    row.querySelector(".remove").disabled = household.length === 1;
    row.querySelector(".remove").addEventListener("click", () => { household.splice(position, 1); buildMembers(); updateHousehold(); });
    body.append(row);
  });
}

let householdAsked = 0; // the calculator's questions sent; an answer to an older one is dropped

async function updateHousehold() {
  const error = document.getElementById("hh-error");
  const result = document.getElementById("hh-result");
  const mine = ++householdAsked;
  result.dataset.asked = String(mine);
  error.textContent = "";
  const body = requestOf(state.editing, {
    household: {zone: document.getElementById("hh-zone").value, idpoor: Number(document.getElementById("hh-idpoor").value),
                consumption_pc: Number(document.getElementById("hh-consumption").value)},
    members: household.map(memberRequest)});
  try {
    const answer = await (await post("household", body)).json();
    if (mine !== householdAsked) return;
    renderHousehold(answer);
    result.dataset.ready = String(mine);  // the question answered (the browser test waits for the last)
  } catch (failure) {
    if (mine !== householdAsked) return;
    error.textContent = (failure.detail || []).map((d) => `${(d.loc || []).slice(1).join(" → ")}: ${d.msg}`).join(" ") || String(failure);
  }
}

function renderHousehold(answer) {
  const labels = answer.programmes;
  const label = (name) => escapeHtml(labels[name] ? labels[name].label : name) +
    (labels[name] && labels[name].in_survey_consumption ? " <span class='muted'>(already in consumption: shown, not added)</span>" : "");
  const members = answer.member_benefits_riels_per_month, households = answer.household_benefits_riels_per_month;
  const rows = [];
  const names = new Set([...Object.keys(members.baseline), ...Object.keys(members.reform)]);
  for (const name of names) {
    const baseline = members.baseline[name] || [], reform = members.reform[name] || [];
    household.forEach((member, position) => {
      const before = baseline[position] || 0, after = reform[position] || 0;
      if (before || after) rows.push(`<tr><td>${position === 0 ? "head" : `member ${position + 1}`} (age ${member.age})</td>
        <td>${label(name)}</td><td class="number">${F.plain(before, 0)}</td><td class="number">${F.plain(after, 0)}</td></tr>`);
    });
  }
  for (const name of new Set([...Object.keys(households.baseline), ...Object.keys(households.reform)])) {
    const before = households.baseline[name] || 0, after = households.reform[name] || 0;
    if (before || after) rows.push(`<tr><td>household</td><td>${label(name)}</td>
      <td class="number">${F.plain(before, 0)}</td><td class="number">${F.plain(after, 0)}</td></tr>`);
  }
  // social insurance contributions: what each scheme collects on a member's wage, and her own share
  const paid = answer.member_contributions_riels_per_month, own = answer.workers_contributions_riels_per_month;
  const collected = (amount) => amount ? `−${F.plain(amount, 0)}` : "0";
  for (const name of new Set([...Object.keys(paid.baseline), ...Object.keys(paid.reform)])) {
    const baseline = paid.baseline[name] || [], reform = paid.reform[name] || [];
    const ownBase = (own.baseline[name] || []), ownReform = (own.reform[name] || []);
    household.forEach((member, position) => {
      const before = baseline[position] || 0, after = reform[position] || 0;
      if (before || after) rows.push(`<tr class="contribution"><td>${position === 0 ? "head" : `member ${position + 1}`} (age ${member.age})</td>
        <td>${label(name)} <span class="muted">(contribution; the worker's own share in brackets, out of consumption)</span></td>
        <td class="number">${collected(before)} (${F.plain(ownBase[position] || 0, 0)})</td>
        <td class="number">${collected(after)} (${F.plain(ownReform[position] || 0, 0)})</td></tr>`);
    });
  }
  const poor = (flag) => flag ? "<b class='poor'>poor</b>" : "not poor";
  const after = answer.consumption_after_benefits_riels_per_person_per_month;
  document.getElementById("hh-result").innerHTML = `
    <p>Poverty line ${answer.year}: <b>${F.plain(answer.poverty_line_riels_per_person_per_month, 0)} riels per person per month</b>.
    Consumption per person: ${F.plain(answer.consumption_before_benefits_riels_per_person_per_month, 0)} before modelled benefits
    (${poor(answer.poor["before benefits"])}), ${F.plain(after.baseline, 0)} under the baseline (${poor(answer.poor.baseline)}),
    <span data-figure="household">${F.plain(after.reform, 0)}</span> under the reform (${poor(answer.poor.reform)}).</p>
    <table class="data"><caption>Benefits, and social insurance contributions, riels a month (${answer.year} prices)</caption>
    <thead><tr><th>Who</th><th>Programme</th><th>baseline</th><th>reform</th></tr></thead>
    <tbody>${rows.join("") || "<tr><td colspan='4'>No programme pays this household.</td></tr>"}</tbody></table>`;
}

// ---- downloads -----------------------------------------------------------------------------
async function download(button, endpoint, extension, extra = {}) {
  const label = button.textContent;
  button.disabled = true;  // some take seconds (the workbook costs every year): say so, and no second click
  button.textContent = "Preparing…";
  try {
    const response = await post(endpoint, requestOf(state.editing, extra));
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    const disposition = response.headers.get("content-disposition") || "";
    link.download = (disposition.match(/filename="([^"]+)"/) || [null, `reform.${extension}`])[1];
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch (failure) {
    showRequestError(failure);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

// ---- start ---------------------------------------------------------------------------------
async function loadCatalogue() {
  const response = await fetch(`/api/programmes?year=${state.year}`);
  catalogue = await response.json();
  parameters = {};
  for (const programme of catalogue.programmes) for (const p of programme.parameters) parameters[p.path] = p;
  for (const reform of state.reforms) {  // a link may name a parameter this model does not have
    for (const path of Object.keys(reform.reform)) if (!(path in parameters)) {
      document.getElementById("request-error").textContent += `The link's parameter \`${path}\` is not in this model; left out. `;
      delete reform.reform[path];
    }
  }
  buildPanel();
}

function start() {
  readAddress();
  const year = document.getElementById("year");
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) year.append(new Option(String(y), String(y), false, y === state.year));
  year.addEventListener("change", async () => { state.year = Number(year.value); await loadCatalogue(); schedule(true); });
  const toggles = {compare: "compare", intervals: "intervals", "show-path": "path", allow: "allow"};
  for (const [id, key] of Object.entries(toggles)) {
    const box = document.getElementById(id);
    box.checked = state[key];
    box.addEventListener("change", () => {
      state[key] = box.checked;
      if (key === "compare" && !state.compare) state.editing = 0;
      buildTabs(); schedule(true);
    });
  }
  document.getElementById("reform-name").addEventListener("change", (e) => {
    state.reforms[state.editing].name = e.target.value || `Reform ${REFORM_KEYS[state.editing].toUpperCase()}`;
    schedule(true);
  });
  document.getElementById("reset").addEventListener("click", () => {
    state.reforms[state.editing].reform = {}; buildPanel(); schedule(true);
  });
  document.getElementById("copy-link").addEventListener("click", async () => {
    writeAddress();
    try { await navigator.clipboard.writeText(location.href); setStatus("Link copied: it reproduces this page."); }
    catch (error) { setStatus(`Link: ${location.href}`); }
  });
  const downloads = {"download-scenario": ["scenario", "yaml"], "download-report": ["report", "html"],
                     "download-folder": ["run-folder", "zip"], "download-workbook": ["workbook", "xlsx"]};
  for (const [id, [endpoint, extension]] of Object.entries(downloads)) {
    const button = document.getElementById(id);
    const extra = () => endpoint === "workbook" ? {first: state.year, last: LAST_YEAR} : {};
    button.addEventListener("click", () => download(button, endpoint, extension, extra()));
  }
  for (const id of ["hh-zone", "hh-idpoor", "hh-consumption"]) {
    document.getElementById(id).addEventListener("change", updateHousehold);
  }
  document.getElementById("hh-add").addEventListener("click", () => {
    household.push({age: 10, sex: "female", in_school: true}); buildMembers(); updateHousehold();
  });
  buildMembers();
  loadCatalogue().then(() => schedule(true)).catch((failure) => setStatus(`Could not reach the server: ${failure}`));
}

document.addEventListener("DOMContentLoaded", start);
