// MaxPool and MaxPoolGrad, NHWC, as tfjs-cpu computes them: a window's maximum is its first in
// row-major order (strict >, so NaN never wins; a window with no pixel inside x gives -∞), and
// dx[argmax of each window] += dy[window]. Overlapping windows and padding work too. Channels are
// the inner loop, four at a time when C allows. A call does images [n0, n1): images never share
// an output, so threads split by image and any split gives the same bits.
#include <wasm_simd128.h>

typedef v128_t v;

struct Pool {
  int H, W, C, outH, outW, strideH, strideW, dilH, dilW, effH, effW, top, left;
};

// The pixels of window (yr, yc) of image b inside x (channel 0's offsets), in row-major order.
static int windowCells(const struct Pool *p, int b, int yr, int yc, int *cells) {
  int r0 = yr * p->strideH - p->top, c0 = yc * p->strideW - p->left, count = 0;
  for (int fr = 0; fr < p->effH; fr += p->dilH) {
    int xr = r0 + fr;
    if (xr < 0 || xr >= p->H) continue;
    for (int fc = 0; fc < p->effW; fc += p->dilW) {
      int xc = c0 + fc;
      if (xc >= 0 && xc < p->W) cells[count++] = ((b * p->H + xr) * p->W + xc) * p->C;
    }
  }
  return count;
}

// 2×2 windows, stride 2, no padding, exactly covering x; channels in fours.
static int tiles2x2(const struct Pool *p) {
  return p->effH == 2 && p->effW == 2 && p->strideH == 2 && p->strideW == 2 && p->dilH == 1 &&
         p->dilW == 1 && p->top == 0 && p->left == 0 && 2 * p->outH == p->H &&
         2 * p->outW == p->W && p->C % 4 == 0;
}

// pmax(best, val) = best < val ? val : best: the first maximum, NaN never taken.
static inline v max4(v a, v b, v c, v d) {
  return wasm_f32x4_pmax(wasm_f32x4_pmax(wasm_f32x4_pmax(wasm_f32x4_pmax(
                             wasm_f32x4_splat(-__builtin_inff()), a), b), c), d);
}

static void maxPool2x2(const float *x, float *y, const struct Pool *p, int n0, int n1) {
  int W = p->W, C = p->C;
  long row = (long)W * C;
  for (int b = n0; b < n1; b++)
    for (int yr = 0; yr < p->outH; yr++) {
      const float *x0 = x + ((long)b * p->H + 2 * yr) * row, *x1 = x0 + row;
      float *out = y + ((long)b * p->outH + yr) * p->outW * C;
      for (int yc = 0; yc < p->outW; yc++, x0 += 2 * C, x1 += 2 * C, out += C)
        for (int c = 0; c < C; c += 4)
          wasm_v128_store(out + c, max4(wasm_v128_load(x0 + c), wasm_v128_load(x0 + C + c),
                                        wasm_v128_load(x1 + c), wasm_v128_load(x1 + C + c)));
    }
}

// dx of a 2×2 pool: each cell of x is in one window; it gets the window's dy if it is the
// window's first maximum (strict >, so an all-NaN or all -∞ window passes nothing), else 0.
static void maxPoolGrad2x2(const float *x, const float *dy, float *dx, const struct Pool *p,
                           int n0, int n1) {
  int W = p->W, C = p->C;
  long row = (long)W * C;
  v none = wasm_i32x4_splat(0);
  for (int b = n0; b < n1; b++)
    for (int yr = 0; yr < p->outH; yr++) {
      long first = ((long)b * p->H + 2 * yr) * row;
      const float *g = dy + ((long)b * p->outH + yr) * p->outW * C;
      for (int yc = 0; yc < p->outW; yc++, g += C)
        for (int c = 0; c < C; c += 4) {
          long at[4] = {first + 2 * yc * C + c, first + (2 * yc + 1) * C + c,
                        first + row + 2 * yc * C + c, first + row + (2 * yc + 1) * C + c};
          v best = wasm_f32x4_splat(-__builtin_inff()), which[4];
          for (int i = 0; i < 4; i++) {
            v val = wasm_v128_load(x + at[i]);
            v more = wasm_f32x4_gt(val, best);
            best = wasm_v128_bitselect(val, best, more);
            // The cells before lose the window where this one is larger.
            for (int j = 0; j < i; j++) which[j] = wasm_v128_andnot(which[j], more);
            which[i] = more;
          }
          v grad = wasm_v128_load(g + c);
          for (int i = 0; i < 4; i++)
            wasm_v128_store(dx + at[i], wasm_v128_bitselect(grad, none, which[i]));
        }
    }
}

// scratch: effH·effW ints per thread (the window's cells).
__attribute__((export_name("maxPool"))) void maxPool(const float *x, float *y, const int *shape,
                                                     int n0, int n1, int *cells) {
  const struct Pool *p = (const struct Pool *)shape;
  if (tiles2x2(p)) {
    maxPool2x2(x, y, p, n0, n1);
    return;
  }
  int C = p->C, C4 = C & ~3;
  for (int b = n0; b < n1; b++)
    for (int yr = 0; yr < p->outH; yr++)
      for (int yc = 0; yc < p->outW; yc++) {
        int count = windowCells(p, b, yr, yc, cells);
        float *out = y + (((long)b * p->outH + yr) * p->outW + yc) * C;
        // pmax(best, val) = best < val ? val : best: the first maximum, NaN never taken.
        int c = 0;
        for (; c + 16 <= C4; c += 16) {
          v b0 = wasm_f32x4_splat(-__builtin_inff()), b1 = b0, b2 = b0, b3 = b0;
          for (int i = 0; i < count; i++) {
            const float *xi = x + cells[i] + c;
            b0 = wasm_f32x4_pmax(b0, wasm_v128_load(xi));
            b1 = wasm_f32x4_pmax(b1, wasm_v128_load(xi + 4));
            b2 = wasm_f32x4_pmax(b2, wasm_v128_load(xi + 8));
            b3 = wasm_f32x4_pmax(b3, wasm_v128_load(xi + 12));
          }
          wasm_v128_store(out + c, b0), wasm_v128_store(out + c + 4, b1);
          wasm_v128_store(out + c + 8, b2), wasm_v128_store(out + c + 12, b3);
        }
        for (; c < C4; c += 4) {
          v best = wasm_f32x4_splat(-__builtin_inff());
          for (int i = 0; i < count; i++) best = wasm_f32x4_pmax(best, wasm_v128_load(x + cells[i] + c));
          wasm_v128_store(out + c, best);
        }
        for (int c = C4; c < C; c++) {
          float best = -__builtin_inff();
          for (int i = 0; i < count; i++)
            if (x[cells[i] + c] > best) best = x[cells[i] + c];
          out[c] = best;
        }
      }
}

// scratch: C + effH·effW ints per thread (each channel's argmax, then the window's cells).
__attribute__((export_name("maxPoolGrad"))) void maxPoolGrad(const float *x, const float *dy,
                                                             float *dx, const int *shape,
                                                             int n0, int n1, int *scratch) {
  const struct Pool *p = (const struct Pool *)shape;
  int H = p->H, W = p->W, C = p->C, C4 = C & ~3;
  if (tiles2x2(p)) {
    maxPoolGrad2x2(x, dy, dx, p, n0, n1);
    return;
  }
  int *where = scratch, *cells = scratch + C;
  long image = (long)H * W * C, outImage = (long)p->outH * p->outW * C;
  __builtin_memset(dx + n0 * image, 0, (n1 - n0) * image * sizeof(float));
  for (int b = n0; b < n1; b++) {
    for (int yr = 0; yr < p->outH; yr++) {
      for (int yc = 0; yc < p->outW; yc++) {
        int count = windowCells(p, b, yr, yc, cells);
        // Vector part: lanes hold 4 channels' best value and its index (-1: none yet).
        for (int c = 0; c < C4; c += 4) {
          v best = wasm_f32x4_splat(-__builtin_inff());
          v at = wasm_i32x4_splat(-1);
          for (int i = 0; i < count; i++) {
            int base = cells[i] + c;
            v val = wasm_v128_load(x + base);
            v more = wasm_f32x4_gt(val, best);
            best = wasm_v128_bitselect(val, best, more);
            v idx = wasm_i32x4_add(wasm_i32x4_splat(base), wasm_i32x4_make(0, 1, 2, 3));
            at = wasm_v128_bitselect(idx, at, more);
          }
          wasm_v128_store(where + c, at);
        }
        for (int c = C4; c < C; c++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int i = 0; i < count; i++)
            if (x[cells[i] + c] > best) best = x[cells[i] + c], at = cells[i] + c;
          where[c] = at;
        }
        const float *g = dy + b * outImage + ((long)yr * p->outW + yc) * C;
        for (int c = 0; c < C; c++)
          if (where[c] >= 0) dx[where[c]] += g[c];
      }
    }
  }
}
