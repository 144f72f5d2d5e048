// 5×5 convolution, stride 1, SAME padding, NHWC, by Winograd F(2×2, 5×5) (Lavin & Gray 2016).
//
// Direct convolution spends 25 multiply-adds per output and input channel; this spends 9 (36 per
// 2×2 output tile) plus cheap transforms. On WebAssembly SIMD128 (4 lanes, no FMA) XNNPACK's direct
// kernels already run at the machine's ceiling, so fewer operations is the only way to be faster.
//
// Built with clang for wasm32 + SIMD128 by scripts/build-kernels.ts. The module imports the tfjs
// wasm backend's memory and works on its tensors in place; it has no data, no stack use and no
// calls, so any number of instances (one per thread) can share that memory.
//
// Transforms use the points 0, ±1, ±2, ∞ (B^T is F(4,3)'s):
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = rows a^k / Π(a - b) for a in (0, 1, -1, 2, -2), then (0 0 0 0 1)
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
#include <wasm_simd128.h>
#include "simd.h"
#include "tile.h"

#define T 6       // transformed tile side
#define TB 16     // tiles per block: the block's V and M (36·TB·(C+K) floats) stay in L2
#define MR 4      // rows (tiles) of the GEMM micro-kernel
#define NR 8      // columns (output channels) of the micro-kernel: two vectors
#define PAD 16    // floats between the 36 planes of a block: 4 KiB apart, they would share L1 sets

typedef v128_t v;

static inline v add(v a, v b) { return wasm_f32x4_add(a, b); }
static inline v sub(v a, v b) { return wasm_f32x4_sub(a, b); }
static inline v mul(v a, float s) { return wasm_f32x4_mul(a, wasm_f32x4_splat(s)); }

// out = B^T · in, for 6 values at a stride (a column or a row of a 6×6 tile).
static inline void bt6(const v *in, int si, v *out, int so) {
  v d0 = in[0], d1 = in[si], d2 = in[2 * si], d3 = in[3 * si], d4 = in[4 * si], d5 = in[5 * si];
  v t1 = sub(d4, mul(d2, 4.0f));  // d4 - 4 d2
  v t2 = sub(d3, mul(d1, 4.0f));  // d3 - 4 d1
  v t3 = sub(d4, d2);             // d4 - d2
  v t4 = mul(sub(d3, d1), 2.0f);  // 2 (d3 - d1)
  out[0] = add(sub(mul(d0, 4.0f), mul(d2, 5.0f)), d4);
  out[so] = add(t1, t2);
  out[2 * so] = sub(t1, t2);
  out[3 * so] = add(t3, t4);
  out[4 * so] = sub(t3, t4);
  out[5 * so] = add(sub(mul(d1, 4.0f), mul(d3, 5.0f)), d5);
}

// out = A^T · in: 6 values at a stride to 2.
static inline void at6(const v *in, int si, v *o0, v *o1) {
  v m0 = in[0], m1 = in[si], m2 = in[2 * si], m3 = in[3 * si], m4 = in[4 * si], m5 = in[5 * si];
  v s12 = add(m1, m2), s34 = add(m3, m4);
  *o0 = add(add(m0, s12), s34);
  *o1 = add(add(sub(m1, m2), mul(sub(m3, m4), 2.0f)), m5);
}

// out = G · in: 5 filter taps at a stride to 6.
static inline void g6(const v *in, int si, v *out, int so) {
  v g0 = in[0], g1 = in[si], g2 = in[2 * si], g3 = in[3 * si], g4 = in[4 * si];
  v even = add(add(g0, g2), g4), odd = add(g1, g3);                    // at +1 and -1
  v even4 = add(add(g0, mul(g2, 4.0f)), mul(g4, 16.0f));               // at +2 and -2
  v odd4 = add(mul(g1, 2.0f), mul(g3, 8.0f));
  out[0] = mul(g0, 1.0f / 4);
  out[so] = mul(add(even, odd), -1.0f / 6);
  out[2 * so] = mul(sub(even, odd), -1.0f / 6);
  out[3 * so] = mul(add(even4, odd4), 1.0f / 24);
  out[4 * so] = mul(sub(even4, odd4), 1.0f / 24);
  out[5 * so] = g4;
}

// u[36][C][K] = G · w · G^T for each (c, k); w is [5][5][C][K] (tfjs's HWIO filter layout).
// K must be a multiple of 4.
__attribute__((export_name("filter"))) void filter(const float *w, float *u, int C, int K) {
  for (int c = 0; c < C; c++) {
    for (int k = 0; k < K; k += 4) {
      v g[25], t[T * 5], o[T * T];
      _Pragma("clang loop unroll(full)") for (int p = 0; p < 25; p++) g[p] = wasm_v128_load(w + (p * C + c) * K + k);
      _Pragma("clang loop unroll(full)") for (int j = 0; j < 5; j++) g6(g + j, 5, t + j, 5);        // columns: 6×5
      _Pragma("clang loop unroll(full)") for (int a = 0; a < T; a++) g6(t + a * 5, 1, o + a * T, 1);  // rows: 6×6
      _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) wasm_v128_store(u + (p * C + c) * K + k, o[p]);
    }
  }
}

// Floats of scratch one thread needs (its block's transformed input and products).
__attribute__((export_name("scratchFloats"))) int scratchFloats(int C, int K) {
  return T * T * (TB * (C + K) + 2 * PAD);
}

// V[ξ][r][c..c+3] = B^T d B for tile r of the block, where d is the 6×6 input patch at
// rows y0.., columns x0.. (zero outside the image: the SAME padding).
static inline void inputTile(const float *x, int H, int W, int C, int y0, int x0, int c, float *V,
                             int r, int plane) {
  v d[T * T], t[T * T];
  _Pragma("clang loop unroll(full)") for (int i = 0; i < T; i++) {
    int yy = y0 + i;
    _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++) {
      int xx = x0 + j;
      d[i * T + j] = (yy >= 0 && yy < H && xx >= 0 && xx < W)
                         ? wasm_v128_load(x + ((long)yy * W + xx) * C + c)
                         : wasm_f32x4_splat(0.0f);
    }
  }
  _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++) bt6(d + j, T, t + j, T);      // columns
  _Pragma("clang loop unroll(full)") for (int i = 0; i < T; i++) bt6(t + i * T, 1, d + i * T, 1);  // rows
  _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) wasm_v128_store(V + p * plane + r * C + c, d[p]);
}

// M[ξ] (rows × K) = V[ξ] (rows × C) · U[ξ] (C × K), 4 rows and 8 columns at a time.
static void gemm(const float *A, const float *B, float *Cm, int rows, int C, int K) {
  for (int r0 = 0; r0 < rows; r0 += 4)
    for (int k = 0; k < K; k += 8) nnTile(A, B, Cm, rows, C, K, r0, k, 0, C, 0);
}

// Output tile r of the block, channels k..k+3: y = A^T M A (+ bias, ReLU), 2×2 outputs at (y0, x0).
static inline void outputTile(const float *M, int plane, int r, int K, int k, v bias, int relu, float *y,
                              int H, int W, int y0, int x0) {
  v m[T * T], t[2 * T];
  _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) m[p] = wasm_v128_load(M + p * plane + r * K + k);
  _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++) at6(m + j, T, t + j, t + T + j);  // columns
  v o[4];
  at6(t, 1, &o[0], &o[1]);
  at6(t + T, 1, &o[2], &o[3]);
  _Pragma("clang loop unroll(full)") for (int q = 0; q < 4; q++) {
    int yy = y0 + (q >> 1), xx = x0 + (q & 1);
    if (yy >= H || xx >= W) continue;
    v out = add(o[q], bias);
    if (relu) out = wasm_f32x4_max(out, wasm_f32x4_splat(0.0f));
    wasm_v128_store(y + ((long)yy * W + xx) * K + k, out);
  }
}

// y[N][H][W][K] = conv(x[N][H][W][C], filter transformed by `filter` into u) + bias (may be 0),
// then ReLU if `relu`, for tiles [t0, t1) of all N·⌈H/2⌉·⌈W/2⌉ 2×2 output tiles (so threads can
// split the work). C must be a multiple of 4 and K of 8.
__attribute__((export_name("conv"))) void conv(const float *x, const float *u, const float *bias,
                                               float *y, int N, int H, int W, int C, int K,
                                               int relu, int t0, int t1, float *scratch) {
  int th = (H + 1) / 2, tw = (W + 1) / 2, perImage = th * tw;
  int vPlane = TB * C + PAD, mPlane = TB * K + PAD;
  float *V = scratch, *M = scratch + T * T * vPlane;
  for (int b0 = t0; b0 < t1; b0 += TB) {
    int rows = t1 - b0 < TB ? t1 - b0 : TB;
    for (int r = 0; r < rows; r++) {
      int t = b0 + r, n = t / perImage, ty = (t % perImage) / tw, tx = t % tw;
      const float *xn = x + (long)n * H * W * C;
      for (int c = 0; c < C; c += 4) inputTile(xn, H, W, C, 2 * ty - 2, 2 * tx - 2, c, V, r, vPlane);
    }
    for (int p = 0; p < T * T; p++)
      gemm(V + p * vPlane, u + p * C * K, M + p * mPlane, rows, C, K);
    for (int r = 0; r < rows; r++) {
      int t = b0 + r, n = t / perImage, ty = (t % perImage) / tw, tx = t % tw;
      float *yn = y + (long)n * H * W * K;
      for (int k = 0; k < K; k += 4) {
        v bk = bias ? wasm_v128_load(bias + k) : wasm_f32x4_splat(0.0f);
        outputTile(M, mPlane, r, K, k, bk, relu, yn, H, W, 2 * ty, 2 * tx);
      }
    }
  }
}

// ---- The filter gradient: dW[a][b][c][k] = Σ over n, y, x of xpad[n][y+a][x+b][c] · dy[n][y][x][k].
// Per 2×2 tile of dy this is F(5×5, 2×2): the 6×6 input patch (the forward pass's, transformed by
// the same B^T) correlated with the 2×2 dy tile, giving 5×5. Its matrices are the forward's
// transposed (A' = G^T, G' = A). The transforms are linear, so the products are summed over all
// tiles in the transformed domain, M[ξ][c][k] = Σ_t V[ξ][t][c] · D[ξ][t][k], and A'^T M A' is
// taken once at the end.

// out = G' · (g0, g1) = A · g: 2 values to 6.
static inline void a2to6(v g0, v g1, v *out, int so) {
  v t = mul(g1, 2.0f);
  out[0] = g0;
  out[so] = add(g0, g1);
  out[2 * so] = sub(g0, g1);
  out[3 * so] = add(g0, t);
  out[4 * so] = sub(g0, t);
  out[5 * so] = g1;
}

// D[ξ][r][k..k+3] = G' g G'^T for the 2×2 dy tile at (y0, x0), zero outside the image.
static inline void gradTile(const float *dy, int H, int W, int K, int y0, int x0, int k, float *D,
                            int r, int plane) {
  v g[4], t[T * 2], o[T * T];
  _Pragma("clang loop unroll(full)") for (int q = 0; q < 4; q++) {
    int yy = y0 + (q >> 1), xx = x0 + (q & 1);
    g[q] = (yy < H && xx < W) ? wasm_v128_load(dy + ((long)yy * W + xx) * K + k)
                              : wasm_f32x4_splat(0.0f);
  }
  a2to6(g[0], g[2], t, 2);      // column 0: 6×2
  a2to6(g[1], g[3], t + 1, 2);  // column 1
  _Pragma("clang loop unroll(full)") for (int i = 0; i < T; i++) a2to6(t[2 * i], t[2 * i + 1], o + i * T, 1);
  _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) wasm_v128_store(D + p * plane + r * K + k, o[p]);
}

// M[ξ] (C × K) += V[ξ]^T (C × rows) · D[ξ] (rows × K), 4 rows of M and 8 columns at a time.
static void gemmTN(const float *A, const float *B, float *Cm, int rows, int C, int K) {
  for (int c0 = 0; c0 < C; c0 += 4) {
    for (int k = 0; k < K; k += NR) {
      float *o = Cm + c0 * K + k;
      v c00 = wasm_v128_load(o), c01 = wasm_v128_load(o + 4);
      v c10 = wasm_v128_load(o + K), c11 = wasm_v128_load(o + K + 4);
      v c20 = wasm_v128_load(o + 2 * K), c21 = wasm_v128_load(o + 2 * K + 4);
      v c30 = wasm_v128_load(o + 3 * K), c31 = wasm_v128_load(o + 3 * K + 4);
      for (int r = 0; r < rows; r++) {
        v b0 = wasm_v128_load(B + r * K + k), b1 = wasm_v128_load(B + r * K + k + 4);
        v a = wasm_v128_load(A + r * C + c0);
        v x0 = wasm_i32x4_shuffle(a, a, 0, 0, 0, 0), x1 = wasm_i32x4_shuffle(a, a, 1, 1, 1, 1);
        v x2 = wasm_i32x4_shuffle(a, a, 2, 2, 2, 2), x3 = wasm_i32x4_shuffle(a, a, 3, 3, 3, 3);
        c00 = MADD(c00, x0, b0), c01 = MADD(c01, x0, b1);
        c10 = MADD(c10, x1, b0), c11 = MADD(c11, x1, b1);
        c20 = MADD(c20, x2, b0), c21 = MADD(c21, x2, b1);
        c30 = MADD(c30, x3, b0), c31 = MADD(c31, x3, b1);
      }
      wasm_v128_store(o, c00), wasm_v128_store(o + 4, c01);
      wasm_v128_store(o + K, c10), wasm_v128_store(o + K + 4, c11);
      wasm_v128_store(o + 2 * K, c20), wasm_v128_store(o + 2 * K + 4, c21);
      wasm_v128_store(o + 3 * K, c30), wasm_v128_store(o + 3 * K + 4, c31);
    }
  }
}

// Sums the tiles of x [N][H][W][C] and dy [N][H][W][K] into `parts` separate sums m[part][36][C][K]
// (zeroed by the caller), part p taking tiles [tiles·p/parts, tiles·(p+1)/parts); this call does
// parts [p0, p1). The split into parts is fixed by the caller whatever the number of threads, so
// the result does not depend on how many threads share the parts.
__attribute__((export_name("filterGradParts"))) void filterGradParts(
    const float *x, const float *dy, float *m, int N, int H, int W, int C, int K, int parts,
    int p0, int p1, float *scratch) {
  int th = (H + 1) / 2, tw = (W + 1) / 2, perImage = th * tw, tiles = N * perImage;
  int vPlane = TB * C + PAD, dPlane = TB * K + PAD;
  float *V = scratch, *D = scratch + T * T * vPlane;
  for (int part = p0; part < p1; part++) {
    int t0 = (int)((long long)tiles * part / parts), t1 = (int)((long long)tiles * (part + 1) / parts);
    float *mp = m + (long)part * T * T * C * K;
    for (int b0 = t0; b0 < t1; b0 += TB) {
      int rows = t1 - b0 < TB ? t1 - b0 : TB;
      for (int r = 0; r < rows; r++) {
        int t = b0 + r, n = t / perImage, ty = (t % perImage) / tw, tx = t % tw;
        const float *xn = x + (long)n * H * W * C, *dyn = dy + (long)n * H * W * K;
        for (int c = 0; c < C; c += 4) inputTile(xn, H, W, C, 2 * ty - 2, 2 * tx - 2, c, V, r, vPlane);
        for (int k = 0; k < K; k += 4) gradTile(dyn, H, W, K, 2 * ty, 2 * tx, k, D, r, dPlane);
      }
      for (int p = 0; p < T * T; p++) gemmTN(V + p * vPlane, D + p * dPlane, mp + p * C * K, rows, C, K);
    }
  }
}

// out = A'^T · in = G^T · in: 6 values at a stride to 5.
static inline void gt6(const v *in, int si, v *out, int so) {
  v m0 = in[0], m1 = in[si], m2 = in[2 * si], m3 = in[3 * si], m4 = in[4 * si], m5 = in[5 * si];
  v s12 = add(m1, m2), d12 = sub(m2, m1), s34 = add(m3, m4), d34 = sub(m3, m4);
  out[0] = add(sub(mul(m0, 1.0f / 4), mul(s12, 1.0f / 6)), mul(s34, 1.0f / 24));
  out[so] = add(mul(d12, 1.0f / 6), mul(d34, 1.0f / 12));
  out[2 * so] = mul(sub(s34, s12), 1.0f / 6);
  out[3 * so] = add(mul(d12, 1.0f / 6), mul(d34, 1.0f / 3));
  out[4 * so] = add(sub(mul(s34, 2.0f / 3), mul(s12, 1.0f / 6)), m5);
}

// dw [5][5][C][K] = A'^T (Σ of the `parts` sums m, in order) A'.
__attribute__((export_name("filterGradFinish"))) void filterGradFinish(const float *m, int parts,
                                                                       float *dw, int C, int K) {
  long stride = (long)T * T * C * K;
  for (int c = 0; c < C; c++) {
    for (int k = 0; k < K; k += 4) {
      v s[T * T], t[5 * T], o[25];
      _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) {
        s[p] = wasm_v128_load(m + (p * C + c) * K + k);
        for (int q = 1; q < parts; q++)
          s[p] = add(s[p], wasm_v128_load(m + q * stride + (p * C + c) * K + k));
      }
      _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++) gt6(s + j, T, t + j, T);      // columns: 5×6
      _Pragma("clang loop unroll(full)") for (int a = 0; a < 5; a++) gt6(t + a * T, 1, o + a * 5, 1);  // rows: 5×5
      _Pragma("clang loop unroll(full)") for (int p = 0; p < 25; p++)
        wasm_v128_store(dw + (p * C + c) * K + k, o[p]);
    }
  }
}
