// 5×5 convolution, stride 1, SAME padding, NHWC, by Winograd F(4×4, 5×5) (Lavin & Gray 2016).
//
// Direct convolution spends 25 multiply-adds per output and input channel; this spends 4 (64 per
// 4×4 output tile; 5.2 on conv2's 14×14, whose last tiles are half outside) plus transforms. On
// WebAssembly SIMD128 (4 lanes) the products run at the machine's ceiling, so fewer operations is
// the way to be faster. F(2×2, 5×5) (6×6 tiles, 9 per output) came first: 1.7× the products here;
// its rounding error (in float32, relative to the largest output) is no smaller than this one's.
//
// Built with clang for wasm32 + SIMD128 by scripts/build-kernels.ts. The module imports the tfjs
// wasm backend's memory and works on its tensors in place; it has no data, so any number of
// instances (one per thread, each with its own stack in tfjs's heap) can share that memory. The
// transforms are in winograd-f4.h.
#include <wasm_simd128.h>
#include "simd.h"
#include "tile.h"
#include "winograd-f4.h"

#define T 8       // transformed tile side
#define O 4       // output tile side
#define TB 16     // tiles per block: the block's V and M (64·TB·(C+K) floats) stay in L2
#define NR 8      // columns (output channels) of the micro-kernel: two vectors
#define PAD 16    // floats between the 64 planes of a block: 4 KiB apart, they would share L1 sets

// u[64][C][K] = G · w · G^T for each (c, k), input channels [c0, c1) (so threads can split the
// work); w is [5][5][C][K] (tfjs's HWIO filter layout). K must be a multiple of 4.
__attribute__((export_name("filter"))) void filter(const float *w, float *u, int C, int K, int c0,
                                                   int c1) {
  for (int c = c0; c < c1; c++) {
    for (int k = 0; k < K; k += 4) {
      v g[25], t[T * 5], o[T * T];
      _Pragma("clang loop unroll(full)") for (int p = 0; p < 25; p++) g[p] = wasm_v128_load(w + (p * C + c) * K + k);
      _Pragma("clang loop unroll(full)") for (int j = 0; j < 5; j++) g8(g + j, 5, t + j, 5);        // columns: 8×5
      _Pragma("clang loop unroll(full)") for (int a = 0; a < T; a++) g8(t + a * 5, 1, o + a * T, 1);  // rows: 8×8
      _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) wasm_v128_store(u + (p * C + c) * K + k, o[p]);
    }
  }
}

// Floats of the transformed filter u (or of one sum of a filter gradient's products).
__attribute__((export_name("transformFloats"))) int transformFloats(int C, int K) {
  return T * T * C * K;
}

// Output tiles along a side of n pixels (the last may be partial).
static inline int tilesAlong(int n) { return (n + O - 1) / O; }

// 4×4 output tiles of an [N][H][W][·] convolution.
__attribute__((export_name("tileCount"))) int tileCount(int N, int H, int W) {
  return N * tilesAlong(H) * tilesAlong(W);
}

// Blocks of TB tiles of an [N][H][W][·] filter gradient: at most this many parts.
__attribute__((export_name("tileBlocks"))) int tileBlocks(int N, int H, int W) {
  return (tileCount(N, H, W) + TB - 1) / TB;
}

// An image padded to whole tiles plus the 2 rows and columns of SAME padding on each side.
struct Padded {
  int h, w;  // rows and columns
};
static inline struct Padded paddedOf(int H, int W) {
  return (struct Padded){O * tilesAlong(H) + 4, O * tilesAlong(W) + 4};
}

// Floats of scratch one thread needs: its block's transformed input and products, and one
// padded image.
__attribute__((export_name("scratchFloats"))) int scratchFloats(int H, int W, int C, int K) {
  struct Padded p = paddedOf(H, W);
  return T * T * (TB * (C + K) + 2 * PAD) + p.h * p.w * C;
}

// Where tile t lies: image n, top-left output (y0, x0).
static inline void tileAt(int t, int H, int W, int *n, int *y0, int *x0) {
  int tw = tilesAlong(W), perImage = tilesAlong(H) * tw;
  *n = t / perImage;
  *y0 = O * ((t % perImage) / tw);
  *x0 = O * (t % tw);
}

// V[ξ][r][c..c+3] = B^T d B for tile r of the block, where d is the 8×8 patch at `at` of a
// padded image with rows of `row` floats.
static inline void inputTile(const float *at, long row, int C, int c, float *V, int r, int plane) {
  v d[T * T], t[T * T];
  _Pragma("clang loop unroll(full)") for (int i = 0; i < T; i++)
    _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++)
      d[i * T + j] = wasm_v128_load(at + i * row + j * C + c);
  _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++) bt8(d + j, T, t + j, T);      // columns
  _Pragma("clang loop unroll(full)") for (int i = 0; i < T; i++) bt8(t + i * T, 1, d + i * T, 1);  // rows
  _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) wasm_v128_store(V + p * plane + r * C + c, d[p]);
}

// The padded image xp (paddedOf) with no image in it yet: its border of zeros, which copying an
// image (padImage) leaves alone. The image's part of a tile row past H or W is zero too.
static void padBorder(int H, int W, int C, float *xp) {
  struct Padded p = paddedOf(H, W);
  long row = (long)p.w * C;
  __builtin_memset(xp, 0, 2 * row * sizeof(float));
  __builtin_memset(xp + (2 + H) * row, 0, (p.h - 2 - H) * row * sizeof(float));
  for (int y = 2; y < 2 + H; y++) {
    __builtin_memset(xp + y * row, 0, 2 * C * sizeof(float));
    __builtin_memset(xp + y * row + (2 + W) * C, 0, (p.w - 2 - W) * C * sizeof(float));
  }
}

// Image n of x into the padded xp, at row 2, column 2.
static void padImage(const float *x, int n, int H, int W, int C, float *xp) {
  long row = (long)paddedOf(H, W).w * C;
  const float *xn = x + (long)n * H * W * C;
  for (int y = 0; y < H; y++)
    __builtin_memcpy(xp + (y + 2) * row + 2 * C, xn + (long)y * W * C, (long)W * C * sizeof(float));
}

// The block's input tiles [b0, b0 + rows), transformed into V, read from the padded xp, which
// holds image *held (updated here; -1: none yet).
static void inputTiles(const float *x, int H, int W, int C, int b0, int rows, float *V, int plane,
                       float *xp, int *held) {
  long row = (long)paddedOf(H, W).w * C;
  for (int r = 0; r < rows; r++) {
    int n, y0, x0;
    tileAt(b0 + r, H, W, &n, &y0, &x0);
    if (n != *held) padImage(x, *held = n, H, W, C, xp);
    // The patch of output (y0, x0) starts 2 rows and columns before it: at (y0, x0) in xp.
    const float *at = xp + y0 * row + (long)x0 * C;
    for (int c = 0; c < C; c += 4) inputTile(at, row, C, c, V, r, plane);
  }
}

// M[ξ] (rows × K) = V[ξ] (rows × C) · U[ξ] (C × K), 4 rows and 8 columns at a time.
static void gemm(const float *A, const float *B, float *Cm, int rows, int C, int K) {
  for (int r0 = 0; r0 < rows; r0 += 4)
    for (int k = 0; k < K; k += NR) nnTile(A, B, Cm, rows, C, K, r0, k, 0, C, 0);
}

// Output tile r of the block, channels k..k+3: y = A^T M A (+ bias, ReLU), 4×4 outputs at (y0, x0).
static inline void outputTile(const float *M, int plane, int r, int K, int k, v bias, int relu, float *y,
                              int H, int W, int y0, int x0) {
  v m[T * T], t[O * T], o[O * O];
  _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) m[p] = wasm_v128_load(M + p * plane + r * K + k);
  _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++) at8(m + j, T, t + j, T);  // columns: 4×8
  _Pragma("clang loop unroll(full)") for (int i = 0; i < O; i++) at8(t + i * T, 1, o + i * O, 1);  // rows: 4×4
  _Pragma("clang loop unroll(full)") for (int q = 0; q < O * O; q++) {
    int yy = y0 + q / O, xx = x0 + q % O;
    if (yy >= H || xx >= W) continue;
    v out = add(o[q], bias);
    if (relu) out = wasm_f32x4_max(out, wasm_f32x4_splat(0.0f));
    wasm_v128_store(y + ((long)yy * W + xx) * K + k, out);
  }
}

// y[N][H][W][K] = conv(x[N][H][W][C], filter transformed by `filter` into u) + bias (may be 0),
// then ReLU if `relu`, for tiles [t0, t1) of the tileCount 4×4 output tiles (so threads can
// split the work). C must be a multiple of 4 and K of 8.
__attribute__((export_name("conv"))) void conv(const float *x, const float *u, const float *bias,
                                               float *y, int N, int H, int W, int C, int K,
                                               int relu, int t0, int t1, float *scratch) {
  int vPlane = TB * C + PAD, mPlane = TB * K + PAD, held = -1;
  float *V = scratch, *M = scratch + T * T * vPlane, *xp = M + T * T * mPlane;
  padBorder(H, W, C, xp);
  for (int b0 = t0; b0 < t1; b0 += TB) {
    int rows = t1 - b0 < TB ? t1 - b0 : TB;
    inputTiles(x, H, W, C, b0, rows, V, vPlane, xp, &held);
    for (int p = 0; p < T * T; p++)
      gemm(V + p * vPlane, u + p * C * K, M + p * mPlane, rows, C, K);
    for (int r = 0; r < rows; r++) {
      int n, y0, x0;
      tileAt(b0 + r, H, W, &n, &y0, &x0);
      float *yn = y + (long)n * H * W * K;
      for (int k = 0; k < K; k += 4) {
        v bk = bias ? wasm_v128_load(bias + k) : wasm_f32x4_splat(0.0f);
        outputTile(M, mPlane, r, K, k, bk, relu, yn, H, W, y0, x0);
      }
    }
  }
}

// ---- The filter gradient: dW[a][b][c][k] = Σ over n, y, x of xpad[n][y+a][x+b][c] · dy[n][y][x][k].
// Per 4×4 tile of dy this is F(5×5, 4×4): the 8×8 input patch (the forward pass's, transformed by
// the same B^T) correlated with the 4×4 dy tile, giving 5×5. Its matrices are the forward's
// transposed (A' = G^T, G' = A). The transforms are linear, so the products are summed over all
// tiles in the transformed domain, M[ξ][c][k] = Σ_t V[ξ][t][c] · D[ξ][t][k], and A'^T M A' is
// taken once at the end.

// D[ξ][r][k..k+3] = G' g G'^T for the 4×4 dy tile at (y0, x0), zero outside the image.
static inline void gradTile(const float *dy, int H, int W, int K, int y0, int x0, int k, float *D,
                            int r, int plane) {
  v g[O * O], t[T * O], o[T * T];
  _Pragma("clang loop unroll(full)") for (int q = 0; q < O * O; q++) {
    int yy = y0 + q / O, xx = x0 + q % O;
    g[q] = (yy < H && xx < W) ? wasm_v128_load(dy + ((long)yy * W + xx) * K + k)
                              : wasm_f32x4_splat(0.0f);
  }
  _Pragma("clang loop unroll(full)") for (int j = 0; j < O; j++) a4to8(g + j, O, t + j, O);  // columns: 8×4
  _Pragma("clang loop unroll(full)") for (int i = 0; i < T; i++) a4to8(t + i * O, 1, o + i * T, 1);  // rows: 8×8
  _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) wasm_v128_store(D + p * plane + r * K + k, o[p]);
}

// M[ξ] (C × K) (+)= V[ξ]^T (C × rows) · D[ξ] (rows × K), 4 rows of M and 8 columns at a time;
// `add` continues the sums of the blocks before (the same order of additions as one pass).
static void gemmTN(const float *A, const float *B, float *Cm, int rows, int C, int K, int add) {
  for (int c0 = 0; c0 < C; c0 += 4) {
    for (int k = 0; k < K; k += NR) {
      float *o = Cm + c0 * K + k, *out[4] = {o, o + K, o + 2 * K, o + 3 * K};
      v acc[8];
      tileLoad(out, add, acc);
      for (int r = 0; r < rows; r++) {
        v a = wasm_v128_load(A + r * C + c0);
        tileMadd(acc, wasm_i32x4_shuffle(a, a, 0, 0, 0, 0), wasm_i32x4_shuffle(a, a, 1, 1, 1, 1),
                 wasm_i32x4_shuffle(a, a, 2, 2, 2, 2), wasm_i32x4_shuffle(a, a, 3, 3, 3, 3),
                 wasm_v128_load(B + r * K + k), wasm_v128_load(B + r * K + k + 4));
      }
      tileStore(out, acc);
    }
  }
}

// The products of the tiles of x [N][H][W][C] and dy [N][H][W][K], summed in `parts` separate
// sums m[part][64][C][K], part p taking blocks [blocks·p/parts, blocks·(p+1)/parts) of TB tiles
// in order (at least one each: parts ≤ blocks); this call does parts [p0, p1). The parts are fixed
// by the caller whatever the number of threads, so the result does not depend on that number.
__attribute__((export_name("filterGradParts"))) void filterGradParts(
    const float *x, const float *dy, float *m, int N, int H, int W, int C, int K, int parts,
    int p0, int p1, float *scratch) {
  int tiles = tileCount(N, H, W), blocks = tileBlocks(N, H, W);
  int vPlane = TB * C + PAD, dPlane = TB * K + PAD, held = -1;
  float *V = scratch, *D = scratch + T * T * vPlane, *xp = D + T * T * dPlane;
  padBorder(H, W, C, xp);
  for (int part = p0; part < p1; part++) {
    int first = TB * (blocks * part / parts), end = TB * (blocks * (part + 1) / parts);
    float *mp = m + (long)part * T * T * C * K;
    for (int b0 = first; b0 < end; b0 += TB) {
      int rows = tiles - b0 < TB ? tiles - b0 : TB;
      inputTiles(x, H, W, C, b0, rows, V, vPlane, xp, &held);
      for (int r = 0; r < rows; r++) {
        int n, y0, x0;
        tileAt(b0 + r, H, W, &n, &y0, &x0);
        const float *dyn = dy + (long)n * H * W * K;
        for (int k = 0; k < K; k += 4) gradTile(dyn, H, W, K, y0, x0, k, D, r, dPlane);
      }
      for (int p = 0; p < T * T; p++)
        gemmTN(V + p * vPlane, D + p * dPlane, mp + (long)p * C * K, rows, C, K, b0 > first);
    }
  }
}

// dw [5][5][C][K] = A'^T (Σ of the `parts` sums m, in order) A', input channels [c0, c1).
__attribute__((export_name("filterGradFinish"))) void filterGradFinish(const float *m, int parts,
                                                                       float *dw, int C, int K,
                                                                       int c0, int c1) {
  long stride = (long)T * T * C * K;
  for (int c = c0; c < c1; c++) {
    for (int k = 0; k < K; k += 4) {
      v s[T * T], t[5 * T], o[25];
      _Pragma("clang loop unroll(full)") for (int p = 0; p < T * T; p++) {
        s[p] = wasm_v128_load(m + (p * C + c) * K + k);
        for (int q = 1; q < parts; q++)
          s[p] = add(s[p], wasm_v128_load(m + q * stride + (p * C + c) * K + k));
      }
      _Pragma("clang loop unroll(full)") for (int j = 0; j < T; j++) gt8(s + j, T, t + j, T);      // columns: 5×8
      _Pragma("clang loop unroll(full)") for (int a = 0; a < 5; a++) gt8(t + a * T, 1, o + a * 5, 1);  // rows: 5×5
      _Pragma("clang loop unroll(full)") for (int p = 0; p < 25; p++)
        wasm_v128_store(dw + (p * C + c) * K + k, o[p]);
    }
  }
}
