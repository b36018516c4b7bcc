// The f32 epilogue the b1 GEMM and GEMV share. Not re-exported by index.ts: an inlined helper, not a
// wasm export.

// The f32 epilogue of one row of i32 dots, in place: v = f32(dot)·alpha[j], then ·vb when scaled,
// + bias[j] when bias is not 0, clamped. Shared with b1_gemv_xnor_f32 (which always scales).
@inline
export function epilogueRow(n: i32, row: usize, alpha: usize, scaled: bool, vb: f32, bias: usize, vmin: f32, vmax: f32): void {
  for (let j = 0; j < n; j++) {
    const pj = <usize>j << 2;
    let v = <f32>load<i32>(row + pj) * load<f32>(alpha + pj);
    if (scaled) v *= vb;
    if (bias) v += load<f32>(bias + pj);
    store<f32>(row + pj, min(max(v, vmin), vmax));
  }
}
