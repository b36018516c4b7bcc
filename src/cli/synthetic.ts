// The built-in synthetic set: 10 classes of 28×28 strokes and shapes (bars, diagonals, boxes,
// rings, crosses) with a random position, size, thickness and contrast, additive noise and salt
// pixels, all from a seeded PCG32 stream. No node: imports (the browser example uses it too).
import * as st from '../index.js';

export interface Split { x: st.Samples; y: st.Samples }

const SIDE = 28;

/** Is pixel (x, y) inside the stroke of class `c` centred at (cx, cy) with half-size s and thickness t? */
function inside(c: number, x: number, y: number, cx: number, cy: number, s: number, t: number): boolean {
  const dx = x - cx;
  const dy = y - cy;
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  const box = Math.max(ax, ay);
  const r2 = dx * dx + dy * dy;
  switch (c) {
    case 0: return ay < t && ax < s;                                    // horizontal bar
    case 1: return ax < t && ay < s;                                    // vertical bar
    case 2: return Math.abs(dx - dy) < t * 1.4 && ax < s;               // diagonal \
    case 3: return Math.abs(dx + dy) < t * 1.4 && ax < s;               // diagonal /
    case 4: return box < s && box >= s - t;                             // box outline
    case 5: return box < s * 0.6;                                       // filled square
    case 6: return r2 < s * s && r2 >= (s - t) * (s - t);               // ring
    case 7: return (ay < t && ax < s) || (ax < t && ay < s);            // plus
    case 8: return (Math.abs(dx - dy) < t * 1.4 || Math.abs(dx + dy) < t * 1.4) && ax < s; // X
    default: return Math.abs(ay - s / 2) < t * 0.8 && ax < s;          // two bars
  }
}

/** `n` deterministic samples: u8 images [n, 28, 28] and u8 labels [n] (classes in turn). */
export function synthetic(n: number, seed: number): Split {
  const rng = new st.Rng(seed);
  const u = () => rng.uint32() / 4294967296;
  const images = new Uint8Array(n * SIDE * SIDE);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    labels[i] = c;
    const cx = 13.5 + (u() - 0.5) * 10;
    const cy = 13.5 + (u() - 0.5) * 10;
    const s = 5 + u() * 6;
    const t = 1 + u() * 2;
    const ink = 0.45 + u() * 0.55;
    const base = i * SIDE * SIDE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let v = (inside(c, x, y, cx, cy, s, t) ? ink : 0) + (u() + u() - 1) * 0.45;
        if (u() < 0.04) v = u();
        images[base + y * SIDE + x] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
    }
  }
  return { x: { data: images, shape: [n, SIDE, SIDE] }, y: { data: labels, shape: [n] } };
}

