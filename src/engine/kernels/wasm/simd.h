// Shared by the C kernels: the multiply-add of their inner loops.
#pragma once
#include <wasm_simd128.h>

#ifdef __wasm_relaxed_simd__
// acc + a·b in one instruction: fused (one rounding) where the machine has FMA, else as two.
// Relaxed SIMD leaves that choice to the machine, so this build's bits may differ by machine;
// on one machine they are the same every time. scripts/build-kernels.ts builds it beside the
// plain one, and threads.ts takes it where the runtime validates it.
#define MADD(acc, a, b) \
  ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(acc)))
#else
#define MADD(acc, a, b) wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif
