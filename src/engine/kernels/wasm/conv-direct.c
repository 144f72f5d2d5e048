// Direct convolution, stride 1, any filter size, padding and number of input channels, NHWC:
// each step is 4 pixels of a row × 8 filters, one multiply-add per tap, input channel and filter,
// the image zero-padded once into scratch so that no tap needs a bounds check. For what Winograd
// (conv5x5.c) does not take: conv1 (one input channel, where XNNPACK's kernel, built for many,
// ran at about half the SIMD128 ceiling), a learner's 3×3 or 7×7 layers, and the input gradients
// of those, which are convolutions too (conv-backprop-input.ts).
#include <wasm_simd128.h>
#include "simd.h"

typedef v128_t v;

// Sizes, as scripts write them (conv-direct.ts).
struct Shape {
  int H, W, C;     // input
  int KH, KW, K;   // filter [KH][KW][C][K], K a multiple of 8
  int top, left;   // padding before
  int outH, outW;  // output
};

static inline v finish(v acc, const float *bias, int k, int relu) {
  if (bias) acc = wasm_f32x4_add(acc, wasm_v128_load(bias + k));
  return relu ? wasm_f32x4_max(acc, wasm_f32x4_splat(0.0f)) : acc;
}

// Output row `r` of image n: always inlined, so that C = 1 (conv1) compiles to its own loop.
__attribute__((always_inline)) static inline void row(const float *padded, const float *w,
                                                      const float *bias, float *yr, int oy,
                                                      int C, int KH, int KW, int K, int PW,
                                                      int outW, int relu) {
  int ox = 0;
  for (; ox + 4 <= outW; ox += 4)
    for (int k = 0; k < K; k += 8) {
      v z = wasm_f32x4_splat(0.0f);
      v a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
      for (int a = 0; a < KH; a++)
        for (int b = 0; b < KW; b++) {
          const float *xp = padded + ((oy + a) * PW + ox + b) * C;
          const float *wp = w + (a * KW + b) * C * K + k;
          for (int c = 0; c < C; c++, xp++, wp += K) {
            v w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4);
            v p0 = wasm_v128_load32_splat(xp), p1 = wasm_v128_load32_splat(xp + C);
            v p2 = wasm_v128_load32_splat(xp + 2 * C), p3 = wasm_v128_load32_splat(xp + 3 * C);
            a0 = MADD(a0, p0, w0), a1 = MADD(a1, p0, w1), a2 = MADD(a2, p1, w0);
            a3 = MADD(a3, p1, w1), a4 = MADD(a4, p2, w0), a5 = MADD(a5, p2, w1);
            a6 = MADD(a6, p3, w0), a7 = MADD(a7, p3, w1);
          }
        }
      float *o = yr + ox * K + k;
      wasm_v128_store(o, finish(a0, bias, k, relu));
      wasm_v128_store(o + 4, finish(a1, bias, k + 4, relu));
      wasm_v128_store(o + K, finish(a2, bias, k, relu));
      wasm_v128_store(o + K + 4, finish(a3, bias, k + 4, relu));
      wasm_v128_store(o + 2 * K, finish(a4, bias, k, relu));
      wasm_v128_store(o + 2 * K + 4, finish(a5, bias, k + 4, relu));
      wasm_v128_store(o + 3 * K, finish(a6, bias, k, relu));
      wasm_v128_store(o + 3 * K + 4, finish(a7, bias, k + 4, relu));
    }
  for (; ox < outW; ox++)  // the last outW % 4 pixels, one at a time
    for (int k = 0; k < K; k += 8) {
      v a0 = wasm_f32x4_splat(0.0f), a1 = a0;
      for (int a = 0; a < KH; a++)
        for (int b = 0; b < KW; b++) {
          const float *xp = padded + ((oy + a) * PW + ox + b) * C;
          const float *wp = w + (a * KW + b) * C * K + k;
          for (int c = 0; c < C; c++, xp++, wp += K) {
            v p = wasm_v128_load32_splat(xp);
            a0 = MADD(a0, p, wasm_v128_load(wp)), a1 = MADD(a1, p, wasm_v128_load(wp + 4));
          }
        }
      wasm_v128_store(yr + ox * K + k, finish(a0, bias, k, relu));
      wasm_v128_store(yr + ox * K + k + 4, finish(a1, bias, k + 4, relu));
    }
}

// y[N][outH][outW][K] = conv(x[N][H][W][C], w) (+ bias[K] if not 0, then ReLU if `relu`), output
// rows [r0, r1) of all N·outH (so threads can split the work; each output is computed alone, its
// taps and channels in order, so any split gives the same bits). `padded` holds
// (outH+KH-1)·(outW+KW-1)·C floats.
__attribute__((export_name("convDirect"))) void convDirect(const float *x, const float *w,
                                                           const float *bias, float *y,
                                                           const struct Shape *s, int relu,
                                                           int r0, int r1, float *padded) {
  int H = s->H, W = s->W, C = s->C, KH = s->KH, KW = s->KW, K = s->K;
  int outH = s->outH, outW = s->outW, PH = outH + KH - 1, PW = outW + KW - 1;
  int image = -1;
  for (int r = r0; r < r1; r++) {
    int n = r / outH, oy = r % outH;
    if (n != image) {
      image = n;
      const float *xn = x + (long)n * H * W * C;
      for (int i = 0; i < PH; i++)
        for (int j = 0; j < PW; j++) {
          int yy = i - s->top, xx = j - s->left;
          int inside = yy >= 0 && yy < H && xx >= 0 && xx < W;
          for (int c = 0; c < C; c++)
            padded[(i * PW + j) * C + c] = inside ? xn[((long)yy * W + xx) * C + c] : 0.0f;
        }
    }
    float *yr = y + ((long)n * outH + oy) * outW * K;
    if (C == 1)
      row(padded, w, bias, yr, oy, 1, KH, KW, K, PW, outW, relu);
    else
      row(padded, w, bias, yr, oy, C, KH, KW, K, PW, outW, relu);
  }
}
