// Matrix products for the dense layers, C[m][n] = op(A)·op(B), row-major, in the three forms a
// dense layer's training step needs, each reading its operands where they lie (no transposed or
// repacked copies, which cost XNNPACK more than the arithmetic here):
//   NN  C = A·B      the forward pass, x[50][3136] · W[3136][1000]
//   NT  C = A·Bᵀ     the input gradient, dy[50][1000] · W[3136][1000]ᵀ
//   TN  C = Aᵀ·B     the weight gradient, x[50][3136]ᵀ · dy[50][1000]
// Every output element is computed by one call, in an order fixed by the shapes alone, so threads
// (which split the columns or rows into ranges) give the same bits as one thread.
#include <wasm_simd128.h>
#include "simd.h"
#include "tile.h"

typedef v128_t v;

static inline float hsum(v x) {
  return (wasm_f32x4_extract_lane(x, 0) + wasm_f32x4_extract_lane(x, 1)) +
         (wasm_f32x4_extract_lane(x, 2) + wasm_f32x4_extract_lane(x, 3));
}

// NN first copies each block of kc rows of B (the thread's columns, read row by row) into
// panels of 8 columns whose rows are contiguous, in `packed` (kc × (j1 - j0) floats). Read in
// place, a panel's rows are n floats apart: W's 3 136 rows, 4 000 bytes apart, each on a new page,
// which the hardware's prefetchers do not follow: with W cold in cache, as after each training
// step's update, the forward product took 8.2 ms in place, 5.9 packed (the NT form: 4.9).
static void pack(const float *B, float *packed, int n, int p0, int p1, int j0, int j8) {
  int kc = p1 - p0;
  for (int p = p0; p < p1; p++) {
    const float *b = B + (long)p * n + j0;
    float *d = packed + (p - p0) * 8;
    for (int j = j0; j < j8; j += 8, b += 8, d += kc * 8) {
      wasm_v128_store(d, wasm_v128_load(b));
      wasm_v128_store(d + 4, wasm_v128_load(b + 4));
    }
  }
}

// Rows of B per pass in place: a panel's 8 columns × KC rows (≤ 16 KB) stay in L1 while every
// block of 4 rows of A passes over them.
#define KC 256

// NN, columns [j0, j1) (j0 a multiple of 8), in panels of 8 columns. With kc > 0: blocks of kc
// rows of B, packed, then every block of 4 rows of A over each panel (kc × 8 floats, in L1),
// adding to the sums of the blocks before; with kc = 0, the panels read in place (a B small
// enough to stay in cache, where packing would only add a copy). Either way each sum runs over p
// in order, so both give the same bits.
__attribute__((export_name("matmulNN"))) void matmulNN(const float *A, const float *B, float *C,
                                                       int m, int k, int n, int j0, int j1,
                                                       float *packed, int kc) {
  int j8 = j0 + ((j1 - j0) & ~7);
  for (int p0 = 0; kc > 0 && p0 < k && j8 > j0; p0 += kc) {
    int p1 = k - p0 < kc ? k : p0 + kc;
    pack(B, packed, n, p0, p1, j0, j8);
    for (int j = j0; j < j8; j += 8) {
      const float *panel = packed + (long)(j - j0) * (p1 - p0);
      for (int i = 0; i < m; i += 4) tileOver(A, panel, 8, C, m, k, n, i, j, p0, p1, p0 > 0);
    }
  }
  for (int j = j0; kc == 0 && j < j8; j += 8)
    for (int p0 = 0; p0 < k; p0 += KC) {
      int p1 = k - p0 < KC ? k : p0 + KC;
      for (int i = 0; i < m; i += 4) nnTile(A, B, C, m, k, n, i, j, p0, p1, p0 > 0);
    }
  int j = j8;
  for (; j + 4 <= j1; j += 4)  // a last panel of 4 columns (j1 = n there)
    for (int i = 0; i < m; i += 4) {
      int mr = m - i < 4 ? m - i : 4;
      const float *a0 = A + (long)i * k;
      const float *a1 = mr > 1 ? a0 + k : a0, *a2 = mr > 2 ? a0 + 2 * k : a0;
      const float *a3 = mr > 3 ? a0 + 3 * k : a0;
      float *o[4];
      tileRows(C + (long)i * n + j, n, mr, o);
      v c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
      const float *b = B + j;
      for (int p = 0; p < k; p++, b += n) {
        v b0 = wasm_v128_load(b);
        c0 = MADD(c0, wasm_v128_load32_splat(a0 + p), b0);
        c1 = MADD(c1, wasm_v128_load32_splat(a1 + p), b0);
        c2 = MADD(c2, wasm_v128_load32_splat(a2 + p), b0);
        c3 = MADD(c3, wasm_v128_load32_splat(a3 + p), b0);
      }
      // Last row first (see tileStore).
      wasm_v128_store(o[3], c3), wasm_v128_store(o[2], c2), wasm_v128_store(o[1], c1);
      wasm_v128_store(o[0], c0);
    }
  // The last n % 4 columns (a classifier's 10: inference's [1000, 1000] · [1000, 10]): dot
  // products along p, 8 rows of B's column gathered at a time into two vectors of partial sums.
  // One running sum waits on each addition: that product took 2.2 ms, 1.6 ms this way.
  for (; j < j1; j++)
    for (int i = 0; i < m; i++) {
      const float *a = A + (long)i * k, *b = B + j;
      v s0 = wasm_f32x4_splat(0), s1 = s0;
      int p = 0;
      for (; p + 8 <= k; p += 8, b += 8L * n) {
        s0 = MADD(s0, wasm_v128_load(a + p), wasm_f32x4_make(b[0], b[n], b[2 * n], b[3 * n]));
        s1 = MADD(s1, wasm_v128_load(a + p + 4),
                  wasm_f32x4_make(b[4 * n], b[5 * n], b[6 * n], b[7 * n]));
      }
      float s = hsum(wasm_f32x4_add(s0, s1));
      for (; p < k; p++, b += n) s += a[p] * *b;
      C[(long)i * n + j] = s;
    }
}

// NT: C[i][j] = Σ_p A[i][p] · Bt[j][p], columns [j0, j1). Both run along p: dot products, four
// lanes of partial sums added at the end. Blocks of 4 rows of Bt (W) outer, so W is read once.
__attribute__((export_name("matmulNT"))) void matmulNT(const float *A, const float *Bt, float *C,
                                                   int m, int k, int n, int j0, int j1) {
  int k4 = k & ~3;
  for (int j = j0; j < j1; j += 4) {
    int nr = j1 - j < 4 ? j1 - j : 4;
    const float *b0 = Bt + (long)j * k;
    const float *b1 = nr > 1 ? b0 + k : b0, *b2 = nr > 2 ? b0 + 2 * k : b0;
    const float *b3 = nr > 3 ? b0 + 3 * k : b0;
    for (int i = 0; i < m; i += 2) {
      const float *a0 = A + (long)i * k, *a1 = i + 1 < m ? a0 + k : a0;
      v s00 = wasm_f32x4_splat(0), s01 = s00, s02 = s00, s03 = s00;
      v s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (int p = 0; p < k4; p += 4) {
        v x0 = wasm_v128_load(a0 + p), x1 = wasm_v128_load(a1 + p);
        v w0 = wasm_v128_load(b0 + p), w1 = wasm_v128_load(b1 + p);
        v w2 = wasm_v128_load(b2 + p), w3 = wasm_v128_load(b3 + p);
        s00 = MADD(s00, x0, w0), s01 = MADD(s01, x0, w1), s02 = MADD(s02, x0, w2);
        s03 = MADD(s03, x0, w3), s10 = MADD(s10, x1, w0), s11 = MADD(s11, x1, w1);
        s12 = MADD(s12, x1, w2), s13 = MADD(s13, x1, w3);
      }
      float r[2][4] = {{hsum(s00), hsum(s01), hsum(s02), hsum(s03)},
                       {hsum(s10), hsum(s11), hsum(s12), hsum(s13)}};
      const float *bs[4] = {b0, b1, b2, b3};
      for (int p = k4; p < k; p++)
        for (int q = 0; q < 4; q++) r[0][q] += a0[p] * bs[q][p], r[1][q] += a1[p] * bs[q][p];
      for (int q = 0; q < nr; q++) {
        C[(long)i * n + j + q] = r[0][q];
        if (i + 1 < m) C[(long)(i + 1) * n + j + q] = r[1][q];
      }
    }
  }
}

// TN: C[i][j] = Σ_p At[p][i] · B[p][j], rows [i0, i1) (i0 a multiple of 4). k is small here (the
// batch). Blocks of 16 rows: their k × 16 values of At, read once into a table of splats, serve
// every panel of 8 columns of B, whose KT rows stay in L1 across the block's four 4×8 tiles.
#define KT 64

__attribute__((export_name("matmulTN"))) void matmulTN(const float *At, const float *B, float *C,
                                                       int m, int k, int n, int i0, int i1) {
  int n8 = n & ~7, n4 = n & ~3;
  v xs[KT * 16];
  for (int ib = i0; ib < i1; ib += 16) {
    int rows = i1 - ib < 16 ? i1 - ib : 16;
    for (int p0 = 0; p0 < k; p0 += KT) {
      int p1 = k - p0 < KT ? k : p0 + KT, add = p0 > 0;
      for (int p = p0; p < p1; p++)
        for (int r = 0; r < 16; r++)
          xs[(p - p0) * 16 + r] = wasm_f32x4_splat(r < rows ? At[(long)p * m + ib + r] : 0.0f);
      for (int j = 0; j < n8; j += 8)
        for (int r0 = 0; r0 < rows; r0 += 4) {
          float *out[4];
          v acc[8];
          tileRows(C + (long)(ib + r0) * n + j, n, rows - r0 < 4 ? rows - r0 : 4, out);
          tileLoad(out, add, acc);
          const float *b = B + (long)p0 * n + j;
          const v *x = xs + r0;
          for (int p = p0; p < p1; p++, b += n, x += 16)
            tileMadd(acc, x[0], x[1], x[2], x[3], wasm_v128_load(b), wasm_v128_load(b + 4));
          tileStore(out, acc);
        }
      for (int r0 = 0; n4 > n8 && r0 < rows; r0 += 4) {  // a last panel of 4 columns
        float *o[4];
        tileRows(C + (long)(ib + r0) * n + n8, n, rows - r0 < 4 ? rows - r0 : 4, o);
        v z = wasm_f32x4_splat(0);
        v c0 = add ? wasm_v128_load(o[0]) : z, c1 = add ? wasm_v128_load(o[1]) : z;
        v c2 = add ? wasm_v128_load(o[2]) : z, c3 = add ? wasm_v128_load(o[3]) : z;
        const float *b = B + (long)p0 * n + n8;
        const v *x = xs + r0;
        for (int p = p0; p < p1; p++, b += n, x += 16) {
          v b0 = wasm_v128_load(b);
          c0 = MADD(c0, x[0], b0), c1 = MADD(c1, x[1], b0);
          c2 = MADD(c2, x[2], b0), c3 = MADD(c3, x[3], b0);
        }
        // Last row first (see tileStore).
        wasm_v128_store(o[3], c3), wasm_v128_store(o[2], c2), wasm_v128_store(o[1], c1);
        wasm_v128_store(o[0], c0);
      }
      for (int r = 0; r < rows; r++)  // the last n % 4 columns
        for (int j = n4; j < n; j++) {
          float *o = C + (long)(ib + r) * n + j;
          float s = add ? *o : 0;
          for (int p = p0; p < p1; p++) s += At[(long)p * m + ib + r] * B[(long)p * n + j];
          *o = s;
        }
    }
  }
}
