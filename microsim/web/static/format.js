// Numbers as an analyst writes them in a brief, the same as microsim/common/formatting.py writes
// them in the report: amounts in millions or billions with their unit, persons rounded as
// estimates from a sample should be. Display only: results stay numbers in the API's documents.
"use strict";

const MISSING = "n/a";

function finite(x) {
  return typeof x === "number" && Number.isFinite(x);
}

function grouped(x, digits) {
  return x.toLocaleString("en-US", {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

// 1_493_900_000_000, "riels" -> "1,493.9 billion riels"; below a million, whole units.
function scaled(x, unit, digits = 1) {
  if (!finite(x)) return MISSING;
  const size = Math.abs(x);
  if (size >= 1e15) return `${grouped(x / 1e12, digits)} trillion ${unit}`;
  if (size >= 1e9) return `${grouped(x / 1e9, digits)} billion ${unit}`;
  if (size >= 1e6) return `${grouped(x / 1e6, digits)} million ${unit}`;
  return `${grouped(x, 0)} ${unit}`;
}

function riels(x, digits = 1) {
  return scaled(x, "riels", digits);
}

// "USD 367 million"
function usd(x, digits = 0) {
  if (!finite(x)) return MISSING;
  const size = Math.abs(x);
  if (size >= 1e9) return `USD ${grouped(x / 1e9, Math.max(digits, 2))} billion`;
  if (size >= 1e6) return `USD ${grouped(x / 1e6, digits)} million`;
  return `USD ${grouped(x, 0)}`;
}

// Python's round() rounds halves to even; estimates here are never exact halves in practice.
function persons(x) {
  if (!finite(x)) return MISSING;
  if (Math.abs(x) >= 100000) return grouped(Math.round(x / 1000) * 1000, 0);
  if (Math.abs(x) >= 1000) return grouped(Math.round(x / 100) * 100, 0);
  return grouped(x, 0);
}

function pct(x, digits = 1) {
  return finite(x) ? `${grouped(x, digits)} %` : MISSING;
}

function pp(x, digits = 2) {
  if (!finite(x)) return MISSING;
  return `${x >= 0 ? "+" : ""}${grouped(x, digits)} pp`;
}

function plain(x, digits = 1) {
  return finite(x) ? grouped(x, digits) : MISSING;
}

// A parameter's value with its unit, for "current law: ..." and the household calculator.
function withUnit(value, unit) {
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value === null || value === undefined) return "not in force";
  if (typeof value === "number") {
    if (unit === "share") return pct(value * 100, value * 100 % 1 ? 1 : 0);
    const text = Number.isInteger(value) ? grouped(value, 0) : String(value);
    return unit && unit !== "code" && unit !== "flag" ? `${text} ${unit}` : text;
  }
  return String(value);
}

window.format = {MISSING, scaled, riels, usd, persons, pct, pp, plain, withUnit};
