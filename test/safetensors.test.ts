import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import {
  bf16BitsToF32, bf16BitsToF32Bits, f16BitsToF32, f16BitsToF32Bits, f32BitsToBf16Bits, f32BitsToF16Bits, f32ToBf16Bits, f32ToF16Bits,
} from '../src/io/float16.js';
import { SAFE_DTYPES, loadSafetensors, parseSafetensors, saveSafetensors, serializeSafetensors, type SafeDType } from '../src/io/safetensors.js';

// ---------- helpers ----------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number): number => ((f32[0] = x), u32[0]!);
const fromBits = (b: number): number => ((u32[0] = b >>> 0), f32[0]!);
const ascii = (s: string): number[] => [...new TextEncoder().encode(s)];

/** A file from a header string (padded with `pad` spaces) and data bytes, built by hand. */
function file(header: string | number[], data: number[] | Uint8Array = [], pad = 0): Uint8Array {
  const h = [...(typeof header === 'string' ? ascii(header) : header), ...new Array<number>(pad).fill(0x20)];
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Little-endian bytes of f32 values. */
function f32le(values: number[]): number[] {
  const dv = new DataView(new ArrayBuffer(4 * values.length));
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return [...new Uint8Array(dv.buffer)];
}

const rawBytes = (t: st.Tensor): Uint8Array => {
  const a = t.toTypedArray();
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
};

/** `bad` throws a SlimError with `code` and a message matching `message`, and leaves no tensor or heap byte behind. */
function rejects(bad: () => unknown, code: st.ErrorCode, message: RegExp): void {
  const before = st.memoryStats();
  assert.throws(bad, (e: unknown) => {
    assert.ok(e instanceof st.SlimError, `expected SlimError, got ${(e as Error)?.message}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
  const after = st.memoryStats();
  assert.equal(after.tensors, before.tensors, 'a failed load leaked a tensor');
  assert.equal(after.bytes, before.bytes);
  assert.equal(after.heapBytes, before.heapBytes);
}

/** Both the parser and the loader reject `bytes` with INVALID_FORMAT and `message`. */
function malformed(bytes: Uint8Array, message: RegExp, options = {}): void {
  rejects(() => parseSafetensors(bytes, options), 'INVALID_FORMAT', new RegExp(`^parseSafetensors: .*${message.source}`));
  rejects(() => loadSafetensors(bytes, options), 'INVALID_FORMAT', new RegExp(`^loadSafetensors: .*${message.source}`));
}

// ---------- float64 references for the codecs (written independently of the bit tricks) ----------

/** Value of a float with 5 (f16) or 8 (bf16) exponent bits and `m` mantissa bits, from its fields. */
function refDecode(h: number, expBits: number, mantBits: number): number {
  const sign = h & (1 << (expBits + mantBits)) ? -1 : 1;
  const maxExp = (1 << expBits) - 1;
  const bias = (1 << (expBits - 1)) - 1;
  const e = (h >> mantBits) & maxExp;
  const m = h & ((1 << mantBits) - 1);
  if (e === maxExp) return m ? NaN : sign * Infinity;
  if (e === 0) return sign * m * 2 ** (1 - bias - mantBits);
  return sign * (2 ** mantBits + m) * 2 ** (e - bias - mantBits);
}

/** `x` rounded to nearest even with `mantBits` fraction bits, normal exponents ≥ minExp, overflow past maxFinite → Inf. */
function refRound(x: number, mantBits: number, minExp: number, maxFinite: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  let p = 0;
  while (2 ** p > a) p--;
  while (2 ** (p + 1) <= a) p++;
  const q = 2 ** (Math.max(p, minExp) - mantBits);
  const n = a / q;
  const fl = Math.floor(n);
  const r = n - fl > 0.5 || (n - fl === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
  const v = r * q;
  return (x < 0 ? -1 : 1) * (v > maxFinite ? Infinity : v);
}

const refF16 = (h: number) => refDecode(h, 5, 10);
const refBf16 = (h: number) => refDecode(h, 8, 7);
const roundF16 = (x: number) => refRound(x, 10, -14, 65504);
const roundBf16 = (x: number) => refRound(x, 7, -126, (2 - 2 ** -7) * 2 ** 127);
const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b));

// ---------- codecs ----------

test('f16: every one of the 65536 bit patterns decodes to its float64 value and encodes back to the same bits', () => {
  for (let h = 0; h < 65536; h++) {
    const v = refF16(h);
    assert.ok(same(f16BitsToF32(h), v), `f16 ${h.toString(16)} decodes to ${f16BitsToF32(h)}, expected ${v}`);
    assert.equal(f32BitsToF16Bits(f16BitsToF32Bits(h)), h, `f16 ${h.toString(16)} does not survive f16 → f32 → f16 bits`);
    if (!Number.isNaN(v)) assert.equal(f32ToF16Bits(f16BitsToF32(h)), h);
  }
});

test('f16: encoding rounds to nearest even at every midpoint between neighbours, and overflows to Inf', () => {
  for (let h = 0; h < 0x7c00; h++) {
    const lo = refF16(h);
    const hi = h === 0x7bff ? 65536 : refF16(h + 1);
    const mid = (lo + hi) / 2; // exact in f32: one bit past f16's mantissa
    const midBits = bitsOf(mid);
    for (const sign of [0, 0x8000]) {
      const s = sign ? -1 : 1;
      const even = h % 2 === 0 ? h : h + 1;
      assert.equal(f32ToF16Bits(s * mid), sign | even, `tie ${s * mid}`);
      assert.equal(f32ToF16Bits(s * fromBits(midBits - 1)), sign | h, `just below ${s * mid}`);
      assert.equal(f32ToF16Bits(s * fromBits(midBits + 1)), sign | (h + 1), `just above ${s * mid}`);
    }
  }
  assert.equal(f32ToF16Bits(65504), 0x7bff);
  assert.equal(f32ToF16Bits(65519.99), 0x7bff);
  assert.equal(f32ToF16Bits(65520), 0x7c00);
  assert.equal(f32ToF16Bits(-1e10), 0xfc00);
  assert.equal(f32ToF16Bits(Infinity), 0x7c00);
  assert.equal(f32ToF16Bits(-0), 0x8000);
  assert.equal(f32ToF16Bits(2 ** -25), 0); // half the smallest subnormal: ties to even 0
  assert.equal(f32ToF16Bits(-(2 ** -25) * 1.5), 0x8001);
  assert.equal(f32ToF16Bits(1e-45), 0); // an f32 subnormal
  // NaN: the quiet bit and the top of the payload are kept; a payload only in the low bits keeps the NaN a NaN.
  assert.equal(f32BitsToF16Bits(0x7fc00000), 0x7e00);
  assert.equal(f32BitsToF16Bits(0xffc02000), 0xfe01);
  assert.equal(f32BitsToF16Bits(0x7f800001), 0x7c01);
  assert.equal(f32BitsToF16Bits(0xff801fff), 0xfc01);
});

test('f16: encoding any f32 matches the float64 nearest-even reference; NaN stays NaN with its sign and top payload bits', () => {
  const check = (x: number) => {
    const h = f32ToF16Bits(x);
    assert.ok(h >= 0 && h < 65536);
    assert.ok(same(f16BitsToF32(h), roundF16(x)), `${x} → ${f16BitsToF32(h)}, expected ${roundF16(x)}`);
  };
  fc.assert(fc.property(fc.float(), check), { numRuns: 20000 });
  fc.assert(fc.property(fc.float({ min: -70000, max: 70000 }), check), { numRuns: 20000 });
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
    const h = f32BitsToF16Bits(bits);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      assert.equal(h & 0x7c00, 0x7c00);
      assert.notEqual(h & 0x3ff, 0, 'a NaN became Inf');
      assert.equal(h >>> 15, bits >>> 31);
      if ((bits & 0x7fe000) !== 0) assert.equal(h & 0x3ff, (bits >>> 13) & 0x3ff);
    } else {
      check(fromBits(bits));
    }
  }), { numRuns: 20000 });
});

test('bf16: every bit pattern decodes exactly and round-trips; encoding matches the float64 reference (sampled)', () => {
  for (let h = 0; h < 65536; h++) {
    const v = refBf16(h);
    assert.ok(same(bf16BitsToF32(h), v), `bf16 ${h.toString(16)} decodes to ${bf16BitsToF32(h)}, expected ${v}`);
    assert.equal(f32BitsToBf16Bits(bf16BitsToF32Bits(h)), h);
    if (!Number.isNaN(v)) assert.equal(f32ToBf16Bits(bf16BitsToF32(h)), h);
  }
  const check = (x: number) => assert.ok(same(bf16BitsToF32(f32ToBf16Bits(x)), roundBf16(x)), `${x} → ${bf16BitsToF32(f32ToBf16Bits(x))}, expected ${roundBf16(x)}`);
  fc.assert(fc.property(fc.float(), check), { numRuns: 20000 });
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
    if ((bits & 0x7fffffff) > 0x7f800000) {
      const h = f32BitsToBf16Bits(bits);
      assert.ok((h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0, 'NaN stays NaN');
      assert.equal(h >>> 15, bits >>> 31);
    } else {
      check(fromBits(bits));
    }
  }), { numRuns: 20000 });
  // Exact ties (low half 0x8000) go to the even neighbour; one bit either side does not tie.
  fc.assert(fc.property(fc.integer({ min: 0, max: 0x7f7e }), fc.boolean(), (h, neg) => {
    const s = neg ? 0x8000 : 0;
    const tie = ((s | h) << 16) | 0x8000;
    assert.equal(f32BitsToBf16Bits(tie), s | (h % 2 === 0 ? h : h + 1));
    assert.equal(f32BitsToBf16Bits(tie - 1), s | h);
    assert.equal(f32BitsToBf16Bits(tie + 1), s | (h + 1));
  }));
  assert.equal(f32ToBf16Bits(3.4028234663852886e38), 0x7f80); // f32 max rounds past bf16 max → Inf
  assert.equal(f32ToBf16Bits(-Infinity), 0xff80);
  assert.equal(f32ToBf16Bits(1), 0x3f80);
  assert.equal(f32BitsToBf16Bits(0x7fc00000), 0x7fc0);
  assert.equal(f32BitsToBf16Bits(0xffffffff), 0xffff); // no rounding carry out of a NaN
  assert.equal(f32BitsToBf16Bits(0x7f800001), 0x7f81);
  assert.equal(f32BitsToBf16Bits(0xff80ffff), 0xff81);
});

test('the codecs and the loader use integer bit operations, not Math', () => {
  for (const path of ['src/io/float16.ts', 'src/io/safetensors.ts']) {
    const code = readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
    assert.doesNotMatch(code, /Math\./, `${path} uses Math`);
  }
});

// ---------- byte-exact serialization ----------

test('serializeSafetensors reproduces the reference implementation\'s test vectors byte for byte', () => {
  assert.deepEqual([...serializeSafetensors([])], [8, 0, 0, 0, 0, 0, 0, 0, ...ascii('{}      ')]);
  assert.deepEqual([...serializeSafetensors([], { framework: 'pt' })], [40, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"__metadata__":{"framework":"pt"}}     ')]);
  const data = new Uint8Array(f32le([0, 1, 2, 3, 4, 5]));
  assert.deepEqual(
    [...serializeSafetensors([['attn.0', { dtype: 'F32', shape: [1, 2, 3], bytes: data }]])],
    [64, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'), ...data],
  );
  assert.deepEqual(
    [...serializeSafetensors([['attn0', { dtype: 'F32', shape: [1, 1, 2, 3], bytes: data }]])],
    [72, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '), ...data],
  );
});

test('serializeSafetensors orders every dtype as the reference does (I64, F32, I32, BF16, F16, I16, I8, U8, BOOL), escapes names, pads with spaces', () => {
  const e = (dtype: SafeDType, shape: number[], bytes: number[]) => ({ dtype, shape, bytes: new Uint8Array(bytes) });
  const entries: [string, ReturnType<typeof e>][] = [
    ['b', e('U8', [3], [1, 2, 3])],
    ['a', e('F16', [2], [0x00, 0x3c, 0x00, 0xc0])],
    ['y', e('BOOL', [2, 0], [])],
    ['c', e('I64', [1], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['j', e('I8', [1], [0x80])],
    ['z', e('F32', [], [0x00, 0x00, 0xc0, 0x3f])],
    ['d', e('I16', [1], [0x34, 0x12])],
    ['B', e('BF16', [1], [0x80, 0x3f])],
    ['i', e('I32', [1], [0x07, 0x00, 0x00, 0x00])],
  ];
  const header = String.raw`{"__metadata__":{"format":"pt","note \"q\"":"a\nb"},"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"z":{"dtype":"F32","shape":[],"data_offsets":[8,12]},"i":{"dtype":"I32","shape":[1],"data_offsets":[12,16]},"B":{"dtype":"BF16","shape":[1],"data_offsets":[16,18]},"a":{"dtype":"F16","shape":[2],"data_offsets":[18,22]},"d":{"dtype":"I16","shape":[1],"data_offsets":[22,24]},"j":{"dtype":"I8","shape":[1],"data_offsets":[24,25]},"b":{"dtype":"U8","shape":[3],"data_offsets":[25,28]},"y":{"dtype":"BOOL","shape":[2,0],"data_offsets":[28,28]}}`;
  assert.equal(header.length, 545); // + 7 spaces = 552 = 69 · 8
  const data = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0xc0, 0x3f, 0x07, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x3c, 0x00, 0xc0, 0x34, 0x12, 0x80, 1, 2, 3];
  const expected = file(header, data, 7);
  const bytes = serializeSafetensors(entries, { format: 'pt', 'note "q"': 'a\nb' });
  assert.deepEqual([...bytes], [...expected]);
  assert.deepEqual([...serializeSafetensors(new Map(entries.reverse()), { format: 'pt', 'note "q"': 'a\nb' })], [...expected]);

  const { tensors, metadata } = loadSafetensors(bytes);
  assert.deepEqual(metadata, { format: 'pt', 'note "q"': 'a\nb' });
  assert.deepEqual(Object.keys(tensors), ['c', 'z', 'i', 'B', 'a', 'd', 'j', 'b', 'y']);
  const got = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, [t.dtype, t.shape, t.toArray()]]));
  assert.deepEqual(got, {
    c: ['i32', [1], [-1]], z: ['f32', [], 1.5], i: ['i32', [1], [7]], B: ['f32', [1], [1]], a: ['f32', [2], [1, -2]],
    d: ['i32', [1], [0x1234]], j: ['i8', [1], [-128]], b: ['u8', [3], [1, 2, 3]], y: ['u8', [2, 0], [[], []]],
  });
  for (const t of Object.values(tensors)) t.dispose();
});

test('names are ordered by UTF-8 bytes (code points), as Rust orders them, not by UTF-16 units', () => {
  const one = { dtype: 'U8' as const, shape: [1], bytes: new Uint8Array([1]) };
  const names = ['\u{1F600}', '\uFF21', 'b', 'B', 'é', '10', '9'];
  const parsed = parseSafetensors(serializeSafetensors(names.map((n) => [n, one])));
  assert.deepEqual([...parsed.entries.keys()], ['10', '9', 'B', 'b', 'é', '\uFF21', '\u{1F600}']);
});

// ---------- round trips ----------

const dtypeArb = fc.constantFrom(...(Object.keys(SAFE_DTYPES) as SafeDType[]));
const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }); // [] scalars and 0-size dims
const entryArb = fc.tuple(dtypeArb, shapeArb).chain(([dtype, shape]) => {
  const n = shape.reduce((a, b) => a * b, 1) * SAFE_DTYPES[dtype].bytes;
  return fc.uint8Array({ minLength: n, maxLength: n }).map((bytes) => ({ dtype, shape, bytes }));
});
const nameArb = fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => s !== '__metadata__');
const entriesArb = fc.uniqueArray(fc.tuple(nameArb, entryArb), { selector: ([name]) => name, maxLength: 6 });
const metadataArb = fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 8 })), { selector: ([k]) => k, maxLength: 3 })
  .map((kv) => Object.fromEntries(kv) as Record<string, string>);

test('serialize → parse round-trips every dtype, shape, name and metadata; re-serializing gives the same bytes', () => {
  fc.assert(fc.property(entriesArb, metadataArb, (entries, metadata) => {
    const bytes = serializeSafetensors(entries, metadata);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const parsed = parseSafetensors(bytes);
    assert.deepEqual(parsed.metadata, metadata);
    assert.equal(parsed.entries.size, entries.length);
    for (const [name, e] of entries) {
      const got = parsed.entries.get(name)!;
      assert.equal(got.dtype, e.dtype);
      assert.deepEqual(got.shape, e.shape);
      assert.deepEqual(got.bytes, e.bytes);
      assert.equal(got.bytes.buffer, bytes.buffer, 'entries are views into the file');
    }
    const orders = [...parsed.entries.values()].map((e) => SAFE_DTYPES[e.dtype].order);
    assert.deepEqual(orders, [...orders].sort((a, b) => b - a));
    assert.deepEqual(serializeSafetensors(parsed.entries, parsed.metadata), bytes);
  }), { numRuns: 300 });
});

test('saveSafetensors → loadSafetensors round-trips f32, i32, i8 and u8 tensors bit for bit (NaN payloads included), leaking nothing', () => {
  const arrays = { f32: Float32Array, i32: Int32Array, i8: Int8Array, u8: Uint8Array } as const;
  const tensorArb = fc.tuple(fc.constantFrom('f32' as const, 'i32' as const, 'i8' as const, 'u8' as const), shapeArb).chain(([dtype, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1) * arrays[dtype].BYTES_PER_ELEMENT;
    return fc.uint8Array({ minLength: n, maxLength: n }).map((bytes) => ({ dtype, shape, bytes }));
  });
  const before = st.memoryStats().tensors;
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(nameArb, tensorArb), { selector: ([n]) => n, maxLength: 5 }), metadataArb, (specs, metadata) => {
    st.tidy(() => {
      const tensors = new Map(specs.map(([name, s]) => [name, st.tensor(new arrays[s.dtype](s.bytes.slice().buffer), s.shape, s.dtype)]));
      const loaded = loadSafetensors(saveSafetensors(tensors, metadata));
      assert.deepEqual(loaded.metadata, metadata);
      assert.deepEqual(Object.keys(loaded.tensors).sort(), [...tensors.keys()].sort());
      for (const [name, t] of tensors) {
        const u = loaded.tensors[name]!;
        assert.equal(u.dtype, t.dtype);
        assert.deepEqual(u.shape, t.shape);
        assert.deepEqual(rawBytes(u), rawBytes(t));
      }
    });
  }), { numRuns: 200 });
  assert.equal(st.memoryStats().tensors, before);
});

test('loadSafetensors converts F16, BF16 (to f32, exactly), I16, I64 (to i32) and BOOL (to u8) for any shape', () => {
  const i64Arb = fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 64 });
  fc.assert(fc.property(dtypeArb, shapeArb, fc.uint8Array({ maxLength: 512 }), i64Arb, (dtype, shape, pool, ints) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const size = SAFE_DTYPES[dtype].bytes;
    const bytes = new Uint8Array(n * size);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = pool.length ? pool[i % pool.length]! : i;
    if (dtype === 'I64') for (let i = 0; i < n; i++) dv.setBigInt64(8 * i, BigInt(ints.length ? ints[i % ints.length]! : -i), true);
    const expected = Array.from({ length: n }, (_, i) => {
      switch (dtype) {
        case 'F16': return f16BitsToF32Bits(dv.getUint16(2 * i, true)) | 0;
        case 'BF16': return (dv.getUint16(2 * i, true) << 16) | 0;
        case 'I16': return dv.getInt16(2 * i, true);
        case 'I64': return Number(dv.getBigInt64(8 * i, true));
        case 'F32': case 'I32': return dv.getInt32(4 * i, true);
        case 'I8': return dv.getInt8(i);
        default: return dv.getUint8(i);
      }
    });
    const { tensors } = loadSafetensors(serializeSafetensors([['t', { dtype, shape, bytes }]]));
    const t = tensors.t!;
    assert.equal(t.dtype, SAFE_DTYPES[dtype].loads);
    assert.deepEqual(t.shape, shape);
    const raw = rawBytes(t);
    const got = t.dtype === 'f32' || t.dtype === 'i32' ? [...new Int32Array(raw.buffer, raw.byteOffset, n)] : [...t.toTypedArray()];
    t.dispose();
    assert.deepEqual(got, expected);
  }), { numRuns: 400 });
});

/** The f32 nearest to the integer v, ties to even, by comparing BigInt distances to the neighbours of a candidate. */
function refInt64ToF32(v: bigint): number {
  if (v >= -(2n ** 24n) && v <= 2n ** 24n) return Number(v);
  const c = Math.fround(Number(v));
  const candidates = [fromBits(bitsOf(c) - 1), c, fromBits(bitsOf(c) + 1)].filter(Number.isFinite);
  const dist = (x: number) => { const d = BigInt(x) - v; return d < 0n ? -d : d; };
  return candidates.reduce((best, x) => {
    const d = dist(x) - dist(best);
    return d < 0n || (d === 0n && (bitsOf(x) & 1) === 0) ? x : best;
  });
}

test('I64 loads as i32 when every value fits, else errors naming the tensor and value; { int64: "f32" } rounds to nearest even', () => {
  const i64File = (values: bigint[]) => {
    const data = new Uint8Array(8 * values.length);
    values.forEach((v, i) => new DataView(data.buffer).setBigInt64(8 * i, v, true));
    return serializeSafetensors([['w', { dtype: 'F32', shape: [1], bytes: new Uint8Array(4) }], ['ids', { dtype: 'I64', shape: [values.length], bytes: data }]]);
  };
  const ok = loadSafetensors(i64File([0n, -1n, 2147483647n, -2147483648n]));
  assert.deepEqual(ok.tensors.ids!.toArray(), [0, -1, 2147483647, -2147483648]);
  for (const t of Object.values(ok.tensors)) t.dispose();
  rejects(() => loadSafetensors(i64File([1n, 5000000000n, -(2n ** 40n)])), 'INVALID_ARGUMENT',
    /^loadSafetensors: tensor "ids" is I64 and loads as i32, so its values must be in \[-2147483648, 2147483647\], received 5000000000 at flat index 1; pass \{ int64: 'f32' \}/);
  rejects(() => loadSafetensors(i64File([2147483648n])), 'INVALID_ARGUMENT', /received 2147483648 at flat index 0/);
  rejects(() => loadSafetensors(i64File([-2147483649n])), 'INVALID_ARGUMENT', /received -2147483649 at flat index 0/);
  rejects(() => loadSafetensors(i64File([1n]), { int64: 'f64' as 'f32' }), 'INVALID_ARGUMENT', /options\.int64 must be 'error' or 'f32', received "f64"/);

  const edge = [0n, 1n, -1n, 2n ** 24n + 1n, 2n ** 24n + 3n, 2n ** 53n + 1n, 2n ** 53n + 2n ** 29n, 2n ** 53n + 2n ** 29n + 1n, 2n ** 54n + 3n * 2n ** 30n,
    2n ** 63n - 1n, -(2n ** 63n), -(2n ** 53n) - 2n ** 29n, -(2n ** 53n) - 2n ** 29n - 1n, 123456789012345678n];
  fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(...edge), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -(2n ** 55n), max: 2n ** 55n })), { minLength: 1, maxLength: 16 }), (values) => {
    const { tensors } = loadSafetensors(i64File(values), { int64: 'f32' });
    const got = [...tensors.ids!.toTypedArray()];
    for (const t of Object.values(tensors)) t.dispose();
    assert.equal(tensors.ids!.dtype, 'f32');
    assert.deepEqual(got, values.map(refInt64ToF32));
  }), { numRuns: 300 });
});

// ---------- a PyTorch file ----------

test('a file laid out as PyTorch save_file writes a Sequential(Linear(4,3), ReLU(), Linear(3,2)) state_dict loads, runs and re-serializes byte for byte', () => {
  // No Python or PyTorch on this machine: this is a byte-level replica, built by hand, of what
  // `safetensors.torch.save_file(model.state_dict(), path)` writes: u64 header length, compact JSON
  // with tensors ordered by dtype (all F32 here) then name, offsets packed in that order, then the
  // little-endian f32 data. The header is 248 = 31 · 8 bytes, so it needs no padding spaces.
  const w0 = [[0.5, -0.25, 1, 0], [-1, 0.75, 0.125, 2], [0.1, 0.2, -0.3, 0.4]];
  const b0 = [0.5, -4, 0.25];
  const w2 = [[1, -1, 0.5], [0.25, 2, -0.75]];
  const b2 = [-0.5, 1];
  const header = '{"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"0.weight":{"dtype":"F32","shape":[3,4],"data_offsets":[12,60]},'
    + '"2.bias":{"dtype":"F32","shape":[2],"data_offsets":[60,68]},"2.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[68,92]}}';
  assert.equal(header.length, 248);
  const bytes = file(header, [...f32le(b0), ...f32le(w0.flat()), ...f32le(b2), ...f32le(w2.flat())]);
  assert.equal(bytes.length, 8 + 248 + 92);
  assert.deepEqual([...bytes.subarray(0, 8)], [248, 0, 0, 0, 0, 0, 0, 0]);

  const before = st.memoryStats().tensors;
  const { tensors, metadata } = loadSafetensors(bytes);
  assert.deepEqual(metadata, {});
  assert.deepEqual(Object.keys(tensors), ['0.bias', '0.weight', '2.bias', '2.weight']);
  const f = (m: number[][] | number[]) => JSON.parse(JSON.stringify(m, (_, v) => (typeof v === 'number' ? Math.fround(v) : v))) as unknown;
  assert.deepEqual(tensors['0.weight']!.shape, [3, 4]);
  assert.deepEqual(tensors['0.weight']!.toArray(), f(w0));
  assert.deepEqual(tensors['0.bias']!.toArray(), f(b0));
  assert.deepEqual(tensors['2.weight']!.toArray(), f(w2));
  assert.deepEqual(tensors['2.bias']!.toArray(), f(b2));

  // The model's forward pass on one input, against float64.
  const x = [1, -2, 0.5, 3];
  const h = w0.map((row, i) => Math.max(0, row.reduce((s, w, j) => s + Math.fround(w) * x[j]!, b0[i]!)));
  const y = w2.map((row, i) => row.reduce((s, w, j) => s + w * h[j]!, b2[i]!));
  const out = st.tidy(() => st.linear(st.linear(st.tensor([x]), tensors['0.weight']!, tensors['0.bias']!, 'relu'), tensors['2.weight']!, tensors['2.bias']!).toArray()) as number[][];
  out[0]!.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) < 1e-5, `y[${i}] = ${v}, expected ${y[i]}`));

  // The same file into a Sequential whose names follow PyTorch's state_dict, unchanged.
  const model = new st.Sequential(new st.Linear(4, 3), new st.ReLU(), new st.Linear(3, 2));
  model.loadStateDict(tensors);
  const viaModel = st.tidy(() => model.forward(st.tensor([x])).toArray()) as number[][];
  assert.deepEqual(viaModel, out);
  model.dispose();

  assert.deepEqual(saveSafetensors(tensors), new Uint8Array(bytes));
  const reordered = new Map(Object.entries(tensors).reverse());
  assert.deepEqual(saveSafetensors(reordered), new Uint8Array(bytes));
  const parsed = parseSafetensors(bytes);
  assert.deepEqual(serializeSafetensors(parsed.entries), new Uint8Array(bytes));
  for (const t of Object.values(tensors)) t.dispose();
  assert.equal(st.memoryStats().tensors, before);
});

// ---------- header validation ----------

const A8 = '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';

test('malformed headers: bad JSON, bad UTF-8, non-object JSON, bad entries and metadata', () => {
  malformed(file('{"a":', [], 3), /the header must be UTF-8 JSON: /);
  malformed(file([0x7b, 0xff, 0x7d], [], 5), /the header must be UTF-8 JSON: /);
  malformed(file([0xef, 0xbb, 0xbf, 0x7b, 0x7d], [], 3), /the header must be UTF-8 JSON: /); // a BOM is not JSON
  malformed(file('[1,2]', [], 3), /the header must be a JSON object, received \[1, 2\]$/);
  malformed(file('null', [], 4), /the header must be a JSON object, received null$/);
  malformed(file('"x"', [], 5), /the header must be a JSON object, received "x"$/);
  malformed(file('3'), /the header must be a JSON object, received 3$/);
  malformed(file('{"a":[1]}'), /tensor "a" must be an object with dtype, shape and data_offsets, received \[1\]$/);
  malformed(file('{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,10]}}'), /tensor "a" shape must be an array of non-negative integers, received \[2.5\]$/);
  malformed(file('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'), /tensor "a" shape must be an array of non-negative integers/);
  malformed(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', new Uint8Array(8)), /tensor "a" data_offsets must be \[begin, end\] with integers 0 ≤ begin ≤ end, received \[8, 0\]$/);
  malformed(file('{"a":{"dtype":"F32","shape":[2]}}'), /tensor "a" data_offsets must be \[begin, end\].*received undefined$/);
  malformed(file('{"__metadata__":{"k":1}}'), /__metadata__\["k"\] must be a string, received 1$/);
  malformed(file('{"__metadata__":[]}'), /__metadata__ must be an object of strings, received \[\]$/);
});

test('unknown and unsupported dtypes are rejected by name', () => {
  malformed(file('{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}', [0]), /tensor "a" dtype must be one of BOOL, U8, I8, I16, F16, BF16, I32, F32, I64, received "Q8"$/);
  malformed(file('{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}', new Uint8Array(8)), /tensor "a" dtype must be one of .*, received "F64" \(a safetensors dtype slimtensor does not read\)$/);
  malformed(file('{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)), /received "f32"$/);
  malformed(file('{"a":{"shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)), /tensor "a" dtype must be one of .*, received undefined$/);
});

test('header length past the file, over the limit, and truncated files', () => {
  const tooLong = file('{}', [], 6);
  tooLong[0] = 100;
  malformed(tooLong, /the header length 100 runs past the end of the file \(16 bytes\): the file is truncated or not safetensors$/);
  const good = file(`{${A8}}`, new Uint8Array(8), 2); // 54 + 2 = 56 header bytes
  assert.equal(parseSafetensors(good).entries.size, 1);
  malformed(good, /the header length must be at most 48 bytes \(maxHeaderBytes\), received 56$/, { maxHeaderBytes: 48 });
  assert.equal(parseSafetensors(good, { maxHeaderBytes: 56 }).entries.size, 1);
  const huge = file('{}', [], 6);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
  malformed(huge, /the header length must be at most 100000000 bytes \(maxHeaderBytes\), received 1099511627776$/);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
  malformed(huge, /received 18446744073709551615$/);
  malformed(good.slice(0, good.length - 3), /tensor "a" data_offsets \[0, 8\] run past the end of the data region \(5 bytes\): the file is truncated or the offsets are out of range \(a file of at least 72 bytes was expected, received 69\)$/);
  malformed(good.slice(0, 40), /the header length 56 runs past the end of the file \(40 bytes\)/);
  malformed(good.slice(0, 5), /the file is truncated: it must start with an 8-byte header length, received 5 bytes$/);
  malformed(new Uint8Array(0), /received 0 bytes$/);
  rejects(() => parseSafetensors(good, { maxHeaderBytes: -1 }), 'INVALID_ARGUMENT', /parseSafetensors: options.maxHeaderBytes must be a non-negative integer, received -1$/);
  rejects(() => parseSafetensors([1, 2, 3] as unknown as Uint8Array), 'INVALID_ARGUMENT', /parseSafetensors: bytes must be a Uint8Array, received \[1, 2, 3\]$/);
});

test('offsets out of range, overlapping, with holes, or not matching the shape', () => {
  malformed(file('{"w":{"dtype":"F32","shape":[100],"data_offsets":[0,400]}}', new Uint8Array(16), 6),
    /tensor "w" data_offsets \[0, 400\] run past the end of the data region \(16 bytes\): the file is truncated or the offsets are out of range/);
  malformed(file(`{${A8},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, new Uint8Array(12)), /tensor "b" data_offsets \[4, 12\] overlap tensor "a", which ends at 8$/);
  malformed(file(`{${A8},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, new Uint8Array(8)), /tensor "(a|b)" data_offsets \[0, 8\] overlap tensor "(a|b)", which ends at 8$/);
  malformed(file(`{${A8},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}`, new Uint8Array(20)),
    /the data region has a hole of 4 bytes between tensor "a" \(ending at 8\) and tensor "b" \(beginning at 12\): tensors must cover it contiguously from 0$/);
  malformed(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', new Uint8Array(12)), /the data region has a hole of 4 bytes before tensor "a" \(beginning at 4\)/);
  malformed(file(`{${A8}}`, new Uint8Array(12), 2), /the data region has 4 bytes after the last tensor ends at 8: the file must be exactly 72 bytes, received 76$/);
  malformed(file('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)), /tensor "w" \(F32 \[3\]\) needs 12 bytes, but its data_offsets \[0, 8\] hold 8$/);
  malformed(file('{"w":{"dtype":"I64","shape":[2, 0],"data_offsets":[0,8]}}', new Uint8Array(8)), /tensor "w" \(I64 \[2, 0\]\) needs 0 bytes/);
  malformed(file('{}', new Uint8Array(3), 6), /the data region has 3 bytes after the last tensor ends at 0/);
  // Zero-size tensors may share an offset with their neighbours.
  const ok = parseSafetensors(file(`{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},${A8},"f":{"dtype":"U8","shape":[0,3],"data_offsets":[8,8]}}`, new Uint8Array(8)));
  assert.deepEqual([...ok.entries.keys()], ['e', 'a', 'f']);
});

test('a failure after some tensors were created disposes them, and nothing is returned', () => {
  const one = new Uint8Array(f32le([1]));
  const bytes = serializeSafetensors([['a', { dtype: 'F32', shape: [1], bytes: one }], ['z', { dtype: 'F32', shape: new Array(33).fill(1), bytes: one }]]);
  assert.equal(parseSafetensors(bytes).entries.size, 2);
  rejects(() => loadSafetensors(bytes), 'INVALID_ARGUMENT', /^loadSafetensors: tensor "z": shape must be at most 32 dims/);
  rejects(() => st.tidy(() => loadSafetensors(bytes)), 'INVALID_ARGUMENT', /tensor "z"/);
});

// ---------- API edges ----------

test('loadSafetensors inside tidy() hands its tensors to the caller; metadata survives', () => {
  const w = st.arange(3);
  const bytes = saveSafetensors({ w }, { note: 'x' });
  w.dispose();
  const before = st.memoryStats().tensors;
  const { tensors, metadata } = st.tidy(() => loadSafetensors(bytes));
  assert.deepEqual(metadata, { note: 'x' });
  assert.deepEqual(tensors.w!.toArray(), [0, 1, 2]);
  assert.equal(st.memoryStats().tensors, before + 1);
  tensors.w!.dispose();
});

test('saveSafetensors and serializeSafetensors reject bad input with a named argument', () => {
  const t = st.zeros([2]);
  rejects(() => saveSafetensors({ a: t, b: [1, 2] as unknown as st.Tensor }), 'INVALID_ARGUMENT', /^saveSafetensors: tensors\["b"\] must be a Tensor, received Array$/);
  rejects(() => saveSafetensors(null as unknown as Record<string, st.Tensor>), 'INVALID_ARGUMENT', /^saveSafetensors: tensors must be a Record or Map/);
  rejects(() => saveSafetensors({ a: t }, { k: 1 as unknown as string }), 'INVALID_ARGUMENT', /^saveSafetensors: metadata\["k"\] must be a string, received 1$/);
  rejects(() => saveSafetensors({ __metadata__: t }), 'INVALID_ARGUMENT', /a tensor name must be anything but "__metadata__"/);
  const u = st.zeros([1]);
  u.dispose();
  rejects(() => saveSafetensors({ u }), 'DISPOSED', /^saveSafetensors: tensors\["u"\] \(\[1\] f32\) was disposed$/);
  t.dispose();
  const b = new Uint8Array(4);
  rejects(() => serializeSafetensors([['x', { dtype: 'F32', shape: [2], bytes: b }]]), 'INVALID_ARGUMENT', /^serializeSafetensors: entry "x".bytes must hold 8 bytes for F32 \[2\], received 4$/);
  rejects(() => serializeSafetensors([['x', { dtype: 'F32', shape: [1], bytes: b }], ['x', { dtype: 'U8', shape: [4], bytes: b }]]), 'INVALID_ARGUMENT', /^serializeSafetensors: tensor names must be unique, received "x" twice$/);
  rejects(() => serializeSafetensors([['x', { dtype: 'F64' as SafeDType, shape: [], bytes: new Uint8Array(8) }]]), 'INVALID_ARGUMENT', /entry "x".dtype must be one of .*received "F64" \(a safetensors dtype slimtensor does not read\)$/);
  rejects(() => serializeSafetensors([['x', { dtype: 'U8', shape: [-1], bytes: b }]]), 'INVALID_ARGUMENT', /entry "x".shape must be an array of non-negative integers, received \[-1\]$/);
  rejects(() => serializeSafetensors(3 as unknown as []), 'INVALID_ARGUMENT', /entries must be an iterable/);
});
