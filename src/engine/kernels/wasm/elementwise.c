// Element-wise passes over the convolutions' large activations that tfjs runs on one thread, or
// as several passes: a bias added to every pixel, ReLU, and ReLU's gradient, which tfjs computes
// as dy · step(x) (a Step pass, then a Multiply pass). Each element is computed alone, with the same
// float32 operation as tfjs's, so any split across threads gives tfjs's bits.
#include <wasm_simd128.h>

typedef v128_t v;

// out[r][c] = x[r][c] + b[c] for rows [r0, r1) of `c` columns (c a multiple of 4): a bias added
// to every pixel of an NHWC tensor, as tfjs's broadcasting Add.
__attribute__((export_name("biasAdd"))) void biasAdd(const float *x, const float *b, float *out,
                                                     int c, int r0, int r1) {
  for (long r = r0; r < r1; r++) {
    const float *xr = x + r * c;
    float *o = out + r * c;
    for (int j = 0; j < c; j += 4)
      wasm_v128_store(o + j, wasm_f32x4_add(wasm_v128_load(xr + j), wasm_v128_load(b + j)));
  }
}

// out[i] = dy[i] · step(x[i]) for elements [i0, i1) (i0 a multiple of 4), where step(x) is 1
// above 0, NaN for NaN and else 0: tfjs's Step (alpha 0) with its NaN rule, then its Multiply.
__attribute__((export_name("reluGrad"))) void reluGrad(const float *dy, const float *x,
                                                       float *out, int i0, int i1) {
  const v one = wasm_f32x4_splat(1.0f), nan = wasm_f32x4_splat(__builtin_nanf(""));
  const v zero = wasm_f32x4_splat(0.0f);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    v xi = wasm_v128_load(x + i);
    v s = wasm_v128_bitselect(one, zero, wasm_f32x4_gt(xi, zero));
    s = wasm_v128_bitselect(nan, s, wasm_f32x4_ne(xi, xi));
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), s));
  }
  for (; i < i1; i++) {
    float xi = x[i];
    float s = xi != xi ? __builtin_nanf("") : xi > 0 ? 1.0f : 0.0f;
    out[i] = dy[i] * s;
  }
}

// out[i] = max(x[i], 0) for elements [i0, i1) (i0 a multiple of 4) as tfjs computes it: NaN stays
// NaN, -0 becomes +0.
__attribute__((export_name("relu"))) void relu(const float *x, float *out, int i0, int i1) {
  const v zero = wasm_f32x4_splat(0.0f);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    v xi = wasm_v128_load(x + i);
    v keep = wasm_v128_or(wasm_f32x4_gt(xi, zero), wasm_f32x4_ne(xi, xi));
    wasm_v128_store(out + i, wasm_v128_bitselect(xi, zero, keep));
  }
  for (; i < i1; i++) out[i] = x[i] > 0 || x[i] != x[i] ? x[i] : 0.0f;
}
