// Stand-alone asc entry for bench/dev/math-accuracy.mjs: the f32-math kernels, plus a test-only
// erfc export (verfc is a vmath building block that the library entry does not export).
export * from "../../assembly/f32-math/vunary";
import { vcanon, verfc } from "../../assembly/f32-math/vmath";

export function f32_verfc_test(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i += 4) {
    // Test-only: n must be a multiple of 4.
    v128.store(y + (<usize>i << 2), vcanon(v128.load(x + (<usize>i << 2)), verfc(v128.load(x + (<usize>i << 2)))));
  }
}
