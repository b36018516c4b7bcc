// Accuracy + speed harness for the f32 transcendental kernels (assembly/f32-math).
//
//   node bench/dev/math-accuracy.mjs [--stride K] [--only exp,log,...] [--no-bench] [--bench-only]
//
// Builds bench/dev/math-entry.ts with asc, then per kernel: sweeps every K-th f32 bit pattern
// (default K = 61, ~70M inputs), all special values and a sample of denormals, against a float64
// reference rounded to f32; prints the max ulp error (and where) and exits non-zero if a stated
// bound is violated. Also checks tails, in-place use and position independence, and times each
// kernel on a warm 64K-element buffer.
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const args = process.argv.slice(2);
const argVal = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const STRIDE = Number(argVal("--stride", "61"));
const ONLY = argVal("--only", "exp,log,tanh,sigmoid,erf,erfc,gelu").split(",");
const BENCH = !args.includes("--no-bench");
const ACCURACY = !args.includes("--bench-only");

// ---- build (cwd = bench/dev so the repo's asconfig.json entries are not pulled in) ----
const wasmPath = join(mkdtempSync(join(tmpdir(), "slimtensor-math-")), "math.wasm");
execFileSync(
  join(root, "node_modules/.bin/asc"),
  ["math-entry.ts", "-o", wasmPath, "--enable", "simd", "-O3", "--runtime", "stub", "--use", "abort=",
    "--noAssert", "--maximumMemory", "65536", "--initialMemory", "2"],
  { cwd: here, stdio: "inherit" },
);
const { exports: wasm } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmPath)), {});
const CHUNK = 1 << 20;
const IN = 1 << 20; // byte offsets, above __heap_base
const OUT = IN + CHUNK * 4;
wasm.memory.grow(Math.ceil((OUT + CHUNK * 4) / 65536) - wasm.memory.buffer.byteLength / 65536);
const f32In = new Float32Array(wasm.memory.buffer, IN, CHUNK);
const u32In = new Uint32Array(wasm.memory.buffer, IN, CHUNK);
const f32Out = new Float32Array(wasm.memory.buffer, OUT, CHUNK);
const u32Out = new Uint32Array(wasm.memory.buffer, OUT, CHUNK);

// ---- float64 references ----
const SQRT_PI = Math.sqrt(Math.PI);
// erfc(z) for z ≥ 0, z2 = z² (passed separately so callers can give it exactly).
function erfcPos(z, z2) {
  if (z < 2.5) return 1 - erfSeries(z, z2);
  // Continued fraction erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))).
  let f = z;
  for (let k = z < 4 ? 160 : 60; k >= 1; k--) f = z + (k / 2) / f;
  return Math.exp(-z2) / (SQRT_PI * f);
}
// erf(z) = 2/√π · e^(−z²) · Σ (2z²)^n z / (1·3·…·(2n+1)): positive terms, relatively accurate.
function erfSeries(z, z2) {
  let term = z, sum = z;
  for (let n = 1; term > sum * 1e-18; n++) {
    term *= (2 * z2) / (2 * n + 1);
    sum += term;
  }
  return (2 / SQRT_PI) * Math.exp(-z2) * sum;
}
function erfRef(x) {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a === Infinity) return Math.sign(x);
  const v = a < 2.5 ? erfSeries(a, a * a) : 1 - erfcPos(a, a * a);
  return x < 0 ? -v : v;
}
function erfcRef(x) {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  const a = Math.abs(x);
  const c = erfcPos(a, a * a);
  return x < 0 ? 2 - c : c;
}
function geluRef(x) {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return 0;
  const a = Math.abs(x);
  const c = erfcPos(a * Math.SQRT1_2, (x * x) / 2); // x² is exact in float64
  return 0.5 * x * (x < 0 ? c : 2 - c);
}
function sigmoidRef(x) {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// Per kernel: reference, the stated bound (ulp, applied where |ref| ≥ minRef and |x| ≥ minX),
// optional absolute bound, and exact special values.
const N0 = -0;
const KERNELS = {
  exp: { fn: "f32_vexp", ref: Math.exp, ulp: 2, minRef: 0,
    special: [[0, 1], [N0, 1], [Infinity, Infinity], [-Infinity, 0], [88.7229, Infinity],
      [1000, Infinity], [3.4028235e38, Infinity], [-104, 0], [-1000, 0], [-3.4028235e38, 0]] },
  log: { fn: "f32_vlog", ref: Math.log, ulp: 2, minRef: 0,
    special: [[1, 0], [0, -Infinity], [N0, -Infinity], [-1, NaN], [-Infinity, NaN], [-1e-45, NaN],
      [Infinity, Infinity], [-3.4028235e38, NaN]] },
  tanh: { fn: "f32_vtanh", ref: Math.tanh, ulp: 3, minRef: 1e-30, odd: true,
    special: [[0, 0], [N0, N0], [Infinity, 1], [-Infinity, -1], [10, 1], [-10, -1], [1e30, 1], [-3.4028235e38, -1], [1e-45, 1e-45]] },
  sigmoid: { fn: "f32_vsigmoid", ref: sigmoidRef, ulp: 3, minRef: 1e-30,
    special: [[0, 0.5], [N0, 0.5], [Infinity, 1], [-Infinity, 0], [3.4028235e38, 1], [-3.4028235e38, 0], [-200, 0], [200, 1]] },
  erf: { fn: "f32_verf", ref: erfRef, ulp: 4, minX: 1e-3, abs: 2e-7, odd: true,
    special: [[0, 0], [N0, N0], [Infinity, 1], [-Infinity, -1], [10, 1], [-10, -1], [3.4028235e38, 1], [1e-45, 1e-45]] },
  erfc: { fn: "f32_verfc_test", ref: erfcRef, ulp: 5, vec: true,
    special: [[0, 1], [N0, 1], [Infinity, 0], [-Infinity, 2], [20, 0], [-20, 2]] },
  gelu: { fn: "f32_vgelu", ref: geluRef, ulp: 5, absRel: 1e-6, abs: 1e-7,
    special: [[0, 0], [Infinity, Infinity], [-Infinity, N0], [-3.4028235e38, N0], [3.4028235e38, 3.4028235e38], [-20, N0], [20, 20]] },
};

const f32buf = new Float32Array(1), u32buf = new Uint32Array(f32buf.buffer);
const bitsOf = (v) => ((f32buf[0] = v), u32buf[0]);
const ord = (b) => (b & 0x80000000 ? -(b & 0x7fffffff) : b); // monotone in the float value
const hex = (b) => "0x" + (b >>> 0).toString(16).padStart(8, "0");
const fmt = (v) => (Object.is(v, -0) ? "-0" : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6 ? v.toExponential(8) : v.toPrecision(9));

let failures = 0;
function fail(msg) {
  failures++;
  console.log("  FAIL " + msg);
}

function run(k, n) {
  wasm[k.fn](n, IN, OUT);
}

function accuracy(name, k) {
  const t0 = performance.now();
  const st = { worst: 0, worstX: 0, all: 0, allX: 0, absMax: 0, absX: 0, absRel: 0, absRelX: 0, count: 0, nanBad: 0, over: 0 };
  const check = (n) => {
    run(k, k.vec ? (n + 3) & ~3 : n);
    for (let i = 0; i < n; i++) {
      const x = f32In[i], got = f32Out[i], gb = u32Out[i];
      const r = k.ref(x);
      st.count++;
      if (Number.isNaN(r) || Number.isNaN(got)) {
        if (!(Number.isNaN(r) && gb === 0x7fc00000)) {
          if (st.nanBad++ < 5) fail(`${name}(${fmt(x)} ${hex(u32In[i])}) = ${fmt(got)} ${hex(gb)}, want ${r}`);
        }
        continue;
      }
      const rf = Math.fround(r);
      const ulp = Math.abs(ord(gb) - ord(bitsOf(rf)));
      const ar = Math.abs(r), ax = Math.abs(x);
      if (ulp > st.all) (st.all = ulp), (st.allX = x);
      const inScope = ar >= (k.minRef ?? 0) && ax >= (k.minX ?? 0);
      if (inScope && ulp > st.worst) (st.worst = ulp), (st.worstX = x);
      if (inScope && ulp > k.ulp && st.over++ < 5) fail(`${name}(${fmt(x)}) = ${fmt(got)}, want ${fmt(rf)}: ${ulp} ulp`);
      if (k.abs !== undefined) {
        const e = Math.abs(got - r);
        if (e > st.absMax) (st.absMax = e), (st.absX = x);
        if (e / Math.max(1, ax) > st.absRel) (st.absRel = e / Math.max(1, ax)), (st.absRelX = x);
        const lim = k.abs + (k.absRel ?? 0) * ax;
        if (e > lim && st.over++ < 5) fail(`${name}(${fmt(x)}) = ${fmt(got)}, want ${fmt(r)}: abs err ${e.toExponential(3)}`);
      }
    }
  };
  // Every STRIDE-th bit pattern (offset 17 so both signs and many exponents are hit).
  let n = 0;
  for (let b = 17; b < 2 ** 32; b += STRIDE) {
    u32In[n++] = b;
    if (n === CHUNK) (check(n), (n = 0));
  }
  // Denormals (both signs, every 97th), powers of two, and the special values.
  for (let b = 1; b < 0x800000; b += 97) {
    u32In[n++] = b;
    u32In[n++] = b | 0x80000000;
    if (n >= CHUNK - 2) (check(n), (n = 0));
  }
  for (let e = 0; e < 255; e++) {
    u32In[n++] = e << 23;
    u32In[n++] = (e << 23) | 0x80000000;
  }
  check(n);
  // Exact special values.
  const sp = k.special.concat([[NaN, NaN], [-NaN, NaN]]);
  sp.forEach(([x], i) => (f32In[i] = x));
  u32In[sp.length] = 0x7f800001; // signalling NaN
  u32In[sp.length + 1] = 0xffc01234; // negative NaN with payload
  run(k, (sp.length + 2 + 3) & ~3);
  sp.forEach(([x, want], i) => {
    const got = f32Out[i];
    const ok = Number.isNaN(want) ? u32Out[i] === 0x7fc00000 : Object.is(got, Math.fround(want));
    if (!ok) fail(`${name}(${fmt(x)}) = ${fmt(got)} (${hex(u32Out[i])}), want exactly ${fmt(Math.fround(want))}`);
  });
  for (const i of [sp.length, sp.length + 1]) if (u32Out[i] !== 0x7fc00000) fail(`${name}(${hex(u32In[i])}) = ${hex(u32Out[i])}, want canonical NaN`);
  // Oddness: f(−x) must be −f(x) bitwise, for a spread of x.
  if (k.odd) {
    const m = 1 << 16;
    for (let i = 0; i < m; i += 2) (u32In[i] = (i * 65497 + 12345) >>> 0 & 0x7fffffff), (u32In[i + 1] = u32In[i] | 0x80000000);
    run(k, m);
    for (let i = 0; i < m; i += 2) if (((u32Out[i] ^ 0x80000000) >>> 0) !== u32Out[i + 1] && !Number.isNaN(f32Out[i])) {
      fail(`${name} not odd at ${fmt(f32In[i])}`);
      break;
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const scope = k.minX ? `|x| >= ${k.minX}` : k.minRef ? `|ref| >= ${k.minRef}` : "all x";
  console.log(`${name.padEnd(8)} max ${st.worst} ulp (bound ${k.ulp}, ${scope}) at x=${fmt(st.worstX)}; ` +
    `overall ${st.all} ulp at x=${fmt(st.allX)}` +
    (k.abs !== undefined ? `; max abs err ${st.absMax.toExponential(2)} at x=${fmt(st.absX)}` +
      `, max abs err/max(1,|x|) ${st.absRel.toExponential(2)} at x=${fmt(st.absRelX)}` : "") +
    ` [${st.count} inputs, ${secs}s]`);
}

// Tails, n = 0, in-place, and position independence: every element must equal the same element
// computed alone (n = 1) at a different offset.
function structural(name, k) {
  if (k.vec) return;
  const m = 37;
  const src = Float32Array.from({ length: m }, (_, i) => (i % 2 ? -1 : 1) * (0.37 * i + 0.011 * i * i));
  (src[7] = NaN), (src[18] = -Infinity), (src[35] = Infinity);
  const full = new Uint32Array(m);
  for (let n = 0; n <= m; n++) {
    f32In.set(src);
    u32Out.fill(0xdeadbeef, 0, m + 4);
    run(k, n);
    for (let i = n; i < m + 4; i++) if (u32Out[i] !== 0xdeadbeef) return fail(`${name}: n=${n} wrote past the end`);
    if (n === m) full.set(u32Out.subarray(0, m));
  }
  for (let i = 0; i < m; i++) {
    f32In[5] = src[i];
    wasm[k.fn](1, IN + 20, OUT + 4);
    if (u32Out[1] !== full[i]) return fail(`${name}: element ${i} differs when computed alone`);
  }
  f32In.set(src);
  wasm[k.fn](m, IN, IN);
  for (let i = 0; i < m; i++) if (u32In[i] !== full[i]) return fail(`${name}: in-place result differs`);
}

function bench(name, k) {
  const n = 1 << 16;
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) f32In[i] = name === "log" ? Math.exp(20 * rnd() - 10) : 16 * rnd() - 8;
  // Best of 10 runs of 200 calls; wall-clock rate and CPU-time rate (the latter is steadier on a
  // shared machine).
  const time = (f) => {
    for (let i = 0; i < 200; i++) f();
    let wall = Infinity, cpu = Infinity;
    for (let rep = 0; rep < 10; rep++) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      for (let i = 0; i < 200; i++) f();
      wall = Math.min(wall, (performance.now() - t0) / 200);
      const c = process.cpuUsage(c0);
      cpu = Math.min(cpu, (c.user + c.system) / 1e3 / 200);
    }
    return `${(n / wall / 1e6).toFixed(2)} G elem/s wall, ${(n / cpu / 1e6).toFixed(2)} cpu`;
  };
  let line = `${name.padEnd(8)} ${time(() => wasm[k.fn](n, IN, OUT))} (64K f32, warm)`;
  const js = { exp: Math.exp, log: Math.log, tanh: Math.tanh }[name];
  if (js) {
    const a = f32In.slice(0, n), b = new Float32Array(n);
    line += `; scalar JS Math.${name} loop: ${time(() => { for (let i = 0; i < n; i++) b[i] = js(a[i]); })}`;
  }
  console.log(line);
}

for (const name of ONLY) {
  const k = KERNELS[name];
  if (!k) throw new Error(`unknown kernel ${name}`);
  if (ACCURACY) (accuracy(name, k), structural(name, k));
}
if (BENCH) for (const name of ONLY) if (!KERNELS[name].vec) bench(name, KERNELS[name]);
console.log(failures ? `${failures} failure(s)` : "all bounds hold");
process.exit(failures ? 1 : 0);
