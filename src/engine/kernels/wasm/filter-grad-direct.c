// The filter gradient of a stride-1 convolution (the CNN's conv1, a learner's 3×3), directly:
// dw[a][b][c][k] = Σ over n, i, j of xpad[n][i+a][j+b][c] · dy[n][i][j][k], NHWC. The transposed
// formulation the backend would use instead makes conv1's one input channel a batch of one; here
// every multiply-add is four output channels wide. Per image, dy (~100 KB for conv1) stays in L2
// while each of the filter's taps sweeps it.
#include <wasm_simd128.h>
#include "simd.h"

typedef v128_t v;

struct Shape {
  int N, H, W, C, outH, outW, K, FH, FW, top, left;
};

// acc[q] += x · dy[q] into DW (tap TAP's weights), for BLOCK vectors of output channels from k,
// over output columns [J0, J1): the pixels where the tap lands inside x.
#define SWEEP(BLOCK, TAP, J0, J1, DW)                                                   \
  {                                                                                      \
    v acc[BLOCK];                                                                        \
    for (int q = 0; q < BLOCK; q++) acc[q] = wasm_v128_load(DW + k + 4 * q);             \
    for (int i = i0; i < i1; i++) {                                                      \
      const float *xr = xn + ((long)(i + a - s->top) * s->W + (TAP - s->left)) * C + c;  \
      const float *dr = dyn + (long)i * s->outW * K + k;                                 \
      for (int j = J0; j < J1; j++) {                                                    \
        v xv = wasm_f32x4_splat(xr[(long)j * C]);                                        \
        const float *d = dr + (long)j * K;                                               \
        for (int q = 0; q < BLOCK; q++)                                                  \
          acc[q] = MADD(acc[q], xv, wasm_v128_load(d + 4 * q));                          \
      }                                                                                  \
    }                                                                                    \
    for (int q = 0; q < BLOCK; q++) wasm_v128_store(DW + k + 4 * q, acc[q]);             \
    k += 4 * BLOCK;                                                                      \
  }

// The same for taps b and b + 1 at once, 4 vectors of output channels each: both read the same dy
// vectors, and their x values are neighbours. Tap b + 1 reaches one pixel further left, so its
// columns [j0c, j1c) start and end no later than tap b's [j0b, j1b): a row is tap b + 1's
// columns before tap b's, then both, then tap b's after (with padding wider than the output the
// two may not meet). Each tap still takes its pixels in order: the sums are SWEEP's, bit for bit.
#define SWEEP_PAIR                                                                     \
  {                                                                                      \
    float *dw1 = dw + C * K; /* tap b + 1 */                                             \
    v acc[4], acc1[4];                                                                   \
    for (int q = 0; q < 4; q++) {                                                        \
      acc[q] = wasm_v128_load(dw + k + 4 * q);                                           \
      acc1[q] = wasm_v128_load(dw1 + k + 4 * q);                                         \
    }                                                                                    \
    for (int i = i0; i < i1; i++) {                                                      \
      const float *xr = xn + ((long)(i + a - s->top) * s->W + (b - s->left)) * C + c;    \
      const float *dr = dyn + (long)i * s->outW * K + k;                                 \
      int j = j0c;                                                                       \
      for (; j < (j0b < j1c ? j0b : j1c); j++) {                                         \
        v x1 = wasm_f32x4_splat(xr[(long)(j + 1) * C]);                                  \
        const float *d = dr + (long)j * K;                                               \
        for (int q = 0; q < 4; q++) acc1[q] = MADD(acc1[q], x1, wasm_v128_load(d + 4 * q)); \
      }                                                                                  \
      for (j = j0b; j < j1c; j++) {                                                      \
        v x0 = wasm_f32x4_splat(xr[(long)j * C]);                                        \
        v x1 = wasm_f32x4_splat(xr[(long)(j + 1) * C]);                                  \
        const float *d = dr + (long)j * K;                                               \
        for (int q = 0; q < 4; q++) {                                                    \
          v dv = wasm_v128_load(d + 4 * q);                                              \
          acc[q] = MADD(acc[q], x0, dv);                                                 \
          acc1[q] = MADD(acc1[q], x1, dv);                                               \
        }                                                                                \
      }                                                                                  \
      for (j = j0b > j1c ? j0b : j1c; j < j1b; j++) {                                    \
        v x0 = wasm_f32x4_splat(xr[(long)j * C]);                                        \
        const float *d = dr + (long)j * K;                                               \
        for (int q = 0; q < 4; q++) acc[q] = MADD(acc[q], x0, wasm_v128_load(d + 4 * q)); \
      }                                                                                  \
    }                                                                                    \
    for (int q = 0; q < 4; q++) {                                                        \
      wasm_v128_store(dw + k + 4 * q, acc[q]);                                           \
      wasm_v128_store(dw1 + k + 4 * q, acc1[q]);                                         \
    }                                                                                    \
    k += 16;                                                                             \
  }

// Output columns [*j0, *j1) where tap column b lands inside x.
static inline void columns(const struct Shape *s, int b, int *j0, int *j1) {
  *j0 = s->left - b > 0 ? s->left - b : 0;
  *j1 = s->W + s->left - b < s->outW ? s->W + s->left - b : s->outW;
}

// Sums images [N·p/parts, N·(p+1)/parts) into m[p] ([FH][FW][C][K], zeroed here), for parts
// [p0, p1). The split is fixed by the caller whatever the number of threads, so the result does
// not depend on how many threads share the parts. K must be a multiple of 4.
__attribute__((export_name("filterGradDirectParts"))) void filterGradDirectParts(
    const float *x, const float *dy, float *m, const int *shape, int parts, int p0, int p1) {
  const struct Shape *s = (const struct Shape *)shape;
  int C = s->C, K = s->K;
  long size = (long)s->FH * s->FW * C * K;
  for (int part = p0; part < p1; part++) {
    int n0 = (int)((long long)s->N * part / parts), n1 = (int)((long long)s->N * (part + 1) / parts);
    float *mp = m + part * size;
    __builtin_memset(mp, 0, size * sizeof(float));
    for (int n = n0; n < n1; n++) {
      const float *xn = x + (long)n * s->H * s->W * C;
      const float *dyn = dy + (long)n * s->outH * s->outW * K;
      for (int a = 0; a < s->FH; a++) {
        // Output rows i whose input row i + a - top lies inside x.
        int i0 = s->top - a > 0 ? s->top - a : 0;
        int i1 = s->H + s->top - a < s->outH ? s->H + s->top - a : s->outH;
        int b = 0;
        // Taps in pairs: conv1's filter gradient 1.30 -> 0.77 ms, relaxed 1.50-1.78 -> 0.79
        // (scripts/kernel-bench.ts).
        for (; b + 1 < s->FW; b += 2) {
          int j0b, j1b, j0c, j1c;
          columns(s, b, &j0b, &j1b);
          columns(s, b + 1, &j0c, &j1c);
          for (int c = 0; c < C; c++) {
            float *dw = mp + ((long)(a * s->FW + b) * C + c) * K;
            int k = 0;
            while (K - k >= 16) SWEEP_PAIR
            int rest = k;  // channels left over (K not a multiple of 16), a tap at a time
            while (K - k >= 4) SWEEP(1, b, j0b, j1b, dw)
            k = rest;
            while (K - k >= 4) SWEEP(1, b + 1, j0c, j1c, dw + C * K)
          }
        }
        for (; b < s->FW; b++) {
          int j0, j1;
          columns(s, b, &j0, &j1);
          for (int c = 0; c < C; c++) {
            float *dw = mp + ((long)(a * s->FW + b) * C + c) * K;
            int k = 0;
            while (K - k >= 32) SWEEP(8, b, j0, j1, dw)
            while (K - k >= 4) SWEEP(1, b, j0, j1, dw)
          }
        }
      }
    }
  }
}

// dw = m[0] + m[1] + … + m[parts-1], in that order.
__attribute__((export_name("sumParts"))) void sumParts(const float *m, int parts, long size,
                                                       float *dw) {
  for (long i = 0; i < size; i += 4) {
    v s = wasm_v128_load(m + i);
    for (int p = 1; p < parts; p++) s = wasm_f32x4_add(s, wasm_v128_load(m + p * size + i));
    wasm_v128_store(dw + i, s);
  }
}

// out[c] = Σ over rows of x[r][c], each column added in row order: the bias gradient (a Sum over
// every axis but the last). cols must be a multiple of 4.
__attribute__((export_name("columnSum"))) void columnSum(const float *x, float *out, int rows,
                                                         int cols) {
  int c = 0;
  for (; cols - c >= 32; c += 32) {
    v acc[8];
    for (int q = 0; q < 8; q++) acc[q] = wasm_f32x4_splat(0.0f);
    for (int r = 0; r < rows; r++)
      for (int q = 0; q < 8; q++)
        acc[q] = wasm_f32x4_add(acc[q], wasm_v128_load(x + (long)r * cols + c + 4 * q));
    for (int q = 0; q < 8; q++) wasm_v128_store(out + c + 4 * q, acc[q]);
  }
  for (; c < cols; c += 4) {
    v acc = wasm_f32x4_splat(0.0f);
    for (int r = 0; r < rows; r++) acc = wasm_f32x4_add(acc, wasm_v128_load(x + (long)r * cols + c));
    wasm_v128_store(out + c, acc);
  }
}
