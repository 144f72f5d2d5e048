// The transforms of Winograd F(4×4, 5×5) and of its filter gradient F(5×5, 4×4) (conv5x5.c),
// each on 4 channels at once, along a column or a row of a tile.
//
// Transforms use the points 0, ±1, ±2, ±1/2, ∞ (B^T is the well-known F(6,3)'s):
//   B^T = [1 0 -21/4 0 21/4 0 -1 0; 0 1 1 -17/4 -17/4 1 1 0; 0 -1 1 17/4 -17/4 -1 1 0;
//          0 1/2 1/4 -5/2 -5/4 2 1 0; 0 -1/2 1/4 5/2 -5/4 -2 1 0; 0 2 4 -5/2 -5 1/2 1 0;
//          0 -2 4 5/2 -5 -1/2 1 0; 0 -1 0 21/4 0 -21/4 0 1]
//   G   = rows a^k / Π(a - b), b the other finite points, for a = 0 (sign turned, with B^T's first
//         row), ±1, ±2, ±1/2, then (0 0 0 0 1) for ∞: (1 0 0 0 0), -2/9 (1 ±1 1 ±1 1),
//         1/90 (1 ±2 4 ±8 16), 32/45 (1 ±1/2 1/4 ±1/8 1/16), (0 0 0 0 1)
//   A^T = rows a^i for i in 0..3 (a in 0, ±1, ±2, ±1/2), the last column (0 0 0 1)
// The filter gradient's are the forward's transposed: A' = G^T, G' = A (B^T is the same).
#pragma once
#include <wasm_simd128.h>

typedef v128_t v;

static inline v add(v a, v b) { return wasm_f32x4_add(a, b); }
static inline v sub(v a, v b) { return wasm_f32x4_sub(a, b); }
static inline v mul(v a, float s) { return wasm_f32x4_mul(a, wasm_f32x4_splat(s)); }

// An 8-point transform's outputs from its parts: first (the point 0), then for each pair of
// points ±1, ±2, ±1/2 the sum and the difference of its even and odd parts, then last (∞).
static inline void points8(v *out, int so, v first, v e1, v o1, v e2, v o2, v eh, v oh, v last) {
  out[0] = first;
  out[so] = add(e1, o1);
  out[2 * so] = sub(e1, o1);
  out[3 * so] = add(e2, o2);
  out[4 * so] = sub(e2, o2);
  out[5 * so] = add(eh, oh);
  out[6 * so] = sub(eh, oh);
  out[7 * so] = last;
}

// out = B^T · in, for 8 values at a stride (a column or a row of an 8×8 tile).
static inline void bt8(const v *in, int si, v *out, int so) {
  v d0 = in[0], d1 = in[si], d2 = in[2 * si], d3 = in[3 * si];
  v d4 = in[4 * si], d5 = in[5 * si], d6 = in[6 * si], d7 = in[7 * si];
  v t1 = sub(add(d2, d6), mul(d4, 4.25f)), t2 = sub(add(d1, d5), mul(d3, 4.25f));
  v t3 = sub(add(mul(d2, 0.25f), d6), mul(d4, 1.25f));
  v t4 = add(sub(mul(d1, 0.5f), mul(d3, 2.5f)), mul(d5, 2.0f));
  v t5 = sub(add(mul(d2, 4.0f), d6), mul(d4, 5.0f));
  v t6 = add(sub(mul(d1, 2.0f), mul(d3, 2.5f)), mul(d5, 0.5f));
  points8(out, so, add(sub(d0, d6), mul(sub(d4, d2), 5.25f)), t1, t2, t3, t4, t5, t6,
          add(sub(d7, d1), mul(sub(d3, d5), 5.25f)));
}

// Sums and differences of the pairs of points ±1, ±2, ±1/2 (m1..m6).
#define PAIRS(m)                                                              \
  v s12 = add(m[1], m[2]), d12 = sub(m[1], m[2]), s34 = add(m[3], m[4]); \
  v d34 = sub(m[3], m[4]), s56 = add(m[5], m[6]), d56 = sub(m[5], m[6])

// out = A^T · in: 8 values at a stride to 4 (o[0..3] at a stride).
static inline void at8(const v *in, int si, v *o, int so) {
  v m[8];
  _Pragma("clang loop unroll(full)") for (int i = 0; i < 8; i++) m[i] = in[i * si];
  PAIRS(m);
  o[0] = add(add(m[0], s12), add(s34, s56));
  o[so] = add(add(d12, mul(d34, 2.0f)), mul(d56, 0.5f));
  o[2 * so] = add(add(s12, mul(s34, 4.0f)), mul(s56, 0.25f));
  o[3 * so] = add(add(add(d12, mul(d34, 8.0f)), mul(d56, 0.125f)), m[7]);
}

// out = G · in: 5 filter taps at a stride to 8.
static inline void g8(const v *in, int si, v *out, int so) {
  v g0 = in[0], g1 = in[si], g2 = in[2 * si], g3 = in[3 * si], g4 = in[4 * si];
  v even = add(add(g0, g2), g4), odd = add(g1, g3);                        // at +1 and -1
  v even2 = add(add(g0, mul(g2, 4.0f)), mul(g4, 16.0f));                   // at +2 and -2
  v odd2 = add(mul(g1, 2.0f), mul(g3, 8.0f));
  v evenh = add(add(g0, mul(g2, 0.25f)), mul(g4, 0.0625f));                // at +1/2 and -1/2
  v oddh = add(mul(g1, 0.5f), mul(g3, 0.125f));
  out[0] = g0;
  out[so] = mul(add(even, odd), -2.0f / 9);
  out[2 * so] = mul(sub(even, odd), -2.0f / 9);
  out[3 * so] = mul(add(even2, odd2), 1.0f / 90);
  out[4 * so] = mul(sub(even2, odd2), 1.0f / 90);
  out[5 * so] = mul(add(evenh, oddh), 32.0f / 45);
  out[6 * so] = mul(sub(evenh, oddh), 32.0f / 45);
  out[7 * so] = g4;
}

// out = G' · (g0..g3) = A · g: 4 values at a stride to 8.
static inline void a4to8(const v *in, int si, v *out, int so) {
  v g0 = in[0], g1 = in[si], g2 = in[2 * si], g3 = in[3 * si];
  v even = add(g0, g2), odd = add(g1, g3);
  v even2 = add(g0, mul(g2, 4.0f)), odd2 = add(mul(g1, 2.0f), mul(g3, 8.0f));
  v evenh = add(g0, mul(g2, 0.25f)), oddh = add(mul(g1, 0.5f), mul(g3, 0.125f));
  points8(out, so, g0, even, odd, even2, odd2, evenh, oddh, g3);
}

// out = A'^T · in = G^T · in: 8 values at a stride to 5.
static inline void gt8(const v *in, int si, v *out, int so) {
  v m[8];
  _Pragma("clang loop unroll(full)") for (int i = 0; i < 8; i++) m[i] = in[i * si];
  PAIRS(m);
  const float a = -2.0f / 9, b = 1.0f / 90, c = 32.0f / 45;
  out[0] = add(add(m[0], mul(s12, a)), add(mul(s34, b), mul(s56, c)));
  out[so] = add(add(mul(d12, a), mul(d34, 2 * b)), mul(d56, c / 2));
  out[2 * so] = add(add(mul(s12, a), mul(s34, 4 * b)), mul(s56, c / 4));
  out[3 * so] = add(add(mul(d12, a), mul(d34, 8 * b)), mul(d56, c / 8));
  out[4 * so] = add(add(add(mul(s12, a), mul(s34, 16 * b)), mul(s56, c / 16)), m[7]);
}
