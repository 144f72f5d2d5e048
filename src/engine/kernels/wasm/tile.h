// The 4×8 tile of C = A·B that the products (matmul.c) and the Winograd convolution's per-point
// products (conv5x5.c) are made of: four rows of C, eight columns (two vectors) each.
#pragma once
#include <wasm_simd128.h>
#include "simd.h"

// The tile's rows of C from row i of `mr` (1..4) rows, n floats apart. Rows past the last alias
// the first, so a partial tile needs no branches: store it with tileStore, first row last.
static inline void tileRows(float *c, int n, int mr, float *rows[4]) {
  rows[0] = c;
  rows[1] = mr > 1 ? c + n : c;
  rows[2] = mr > 2 ? c + 2 * n : c;
  rows[3] = mr > 3 ? c + 3 * n : c;
}

// acc[0..7] = the tile's sums so far (add) or zeros.
static inline void tileLoad(float *const rows[4], int add, v128_t acc[8]) {
  for (int q = 0; q < 4; q++) {
    acc[2 * q] = add ? wasm_v128_load(rows[q]) : wasm_f32x4_splat(0);
    acc[2 * q + 1] = add ? wasm_v128_load(rows[q] + 4) : wasm_f32x4_splat(0);
  }
}

// acc[2q..2q+1] += x[q] · (b0, b1): one step along the sum for the tile's four rows.
static inline void tileMadd(v128_t acc[8], v128_t x0, v128_t x1, v128_t x2, v128_t x3,
                            v128_t b0, v128_t b1) {
  acc[0] = MADD(acc[0], x0, b0), acc[1] = MADD(acc[1], x0, b1);
  acc[2] = MADD(acc[2], x1, b0), acc[3] = MADD(acc[3], x1, b1);
  acc[4] = MADD(acc[4], x2, b0), acc[5] = MADD(acc[5], x2, b1);
  acc[6] = MADD(acc[6], x3, b0), acc[7] = MADD(acc[7], x3, b1);
}

// Stores the tile, last row first: aliased rows (a partial tile) are overwritten by the first.
static inline void tileStore(float *const rows[4], const v128_t acc[8]) {
  for (int q = 3; q >= 0; q--) {
    wasm_v128_store(rows[q], acc[2 * q]);
    wasm_v128_store(rows[q] + 4, acc[2 * q + 1]);
  }
}

// C[i..i+3][j..j+7] (+)= Σ_{p in [p0, p1)} A[i..][p] · b[p - p0][0..7], A with rows of k floats,
// C of n, b's rows ldb floats apart; `add` continues the sums already in C (the same order of
// additions as one pass).
static inline void tileOver(const float *A, const float *b, int ldb, float *C, int m, int k, int n,
                            int i, int j, int p0, int p1, int add) {
  int mr = m - i < 4 ? m - i : 4;
  const float *a0 = A + (long)i * k;
  const float *a1 = mr > 1 ? a0 + k : a0, *a2 = mr > 2 ? a0 + 2 * k : a0;
  const float *a3 = mr > 3 ? a0 + 3 * k : a0;
  float *rows[4];
  v128_t acc[8];
  tileRows(C + (long)i * n + j, n, mr, rows);
  tileLoad(rows, add, acc);
  for (int p = p0; p < p1; p++, b += ldb)
    tileMadd(acc, wasm_v128_load32_splat(a0 + p), wasm_v128_load32_splat(a1 + p),
             wasm_v128_load32_splat(a2 + p), wasm_v128_load32_splat(a3 + p), wasm_v128_load(b),
             wasm_v128_load(b + 4));
  tileStore(rows, acc);
}

// The same with B [k][n] read in place: b = B[p0][j..].
static inline void nnTile(const float *A, const float *B, float *C, int m, int k, int n, int i,
                          int j, int p0, int p1, int add) {
  tileOver(A, B + (long)p0 * n + j, n, C, m, k, n, i, j, p0, p1, add);
}
