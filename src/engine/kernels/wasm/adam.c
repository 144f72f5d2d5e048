// One Adam step, fused: tfjs's AdamOptimizer.applyGradients makes ~13 passes over each weight
// (one per element-wise op, each on one thread); this makes one, on a share of the elements per
// thread, with the same float32 operations in the same order, so the result has the same bits:
//   m' = m·β1 + g·(1-β1)            v' = v·β2 + (g·g)·(1-β2)
//   w' = ((m' / (1-β1ᵗ)) / (sqrt(v' / (1-β2ᵗ)) + ε)) · (-lr) + w
// β1ᵗ and β2ᵗ are read from the optimizer's own scalar variables (acc[0], acc[1]).
//
// One difference, as native TensorFlow (which runs with the CPU's flush-to-zero on): m' and v'
// below 2^-126 in size (subnormal) are stored as zero. A weight whose gradient stays 0 (a dead
// unit, an input pixel that is always blank) has m shrink by β1 every step into that range after
// ~700 steps, and WebAssembly has no flush-to-zero mode: every operation on a subnormal then takes
// a slow path in the CPU, and the tutorial's dense step took 32 ms instead of 2.4 from then on
// (the full run 50% slower).
#include <wasm_simd128.h>

#pragma clang fp contract(off)

typedef v128_t v;

#define SMALLEST_NORMAL 0x1p-126f

// x, or 0 where x is subnormal (NaN stays NaN). Three operations: the step is not only memory
// bound, and flushing g too (or keeping the zero's sign) cost a third more time.
static inline v flush(v x) {
  return wasm_v128_andnot(x, wasm_f32x4_lt(wasm_f32x4_abs(x), wasm_f32x4_splat(SMALLEST_NORMAL)));
}
static inline float flush1(float x) { return __builtin_fabsf(x) < SMALLEST_NORMAL ? 0.0f : x; }

// Where one weight's step reads and writes (byte offsets into the backend's memory), then the
// constants, as scripts write them (AdamJob in adam.ts).
struct Job {
  const float *w, *m, *v, *g, *acc1, *acc2;
  float *w2, *m2, *v2;
  float beta1, beta2, oneMinusBeta1, oneMinusBeta2, negLr, eps;
};

// Elements [i0, i1) of the weight w, its moments m and v and its gradient g; the new values go
// to w2, m2, v2, which may be w, m and v themselves (each element is read before it is written).
// i0 is a multiple of 4.
__attribute__((export_name("adam"))) void adam(const struct Job *job, int i0, int i1) {
  const float *w = job->w, *m = job->m, *v_ = job->v, *g = job->g;
  float *w2 = job->w2, *m2 = job->m2, *v2 = job->v2;
  float beta1 = job->beta1, beta2 = job->beta2, negLr = job->negLr, eps = job->eps;
  float oneMinusBeta1 = job->oneMinusBeta1, oneMinusBeta2 = job->oneMinusBeta2;
  float c1 = 1.0f - job->acc1[0], c2 = 1.0f - job->acc2[0];
  v b1 = wasm_f32x4_splat(beta1), b2 = wasm_f32x4_splat(beta2);
  v o1 = wasm_f32x4_splat(oneMinusBeta1), o2 = wasm_f32x4_splat(oneMinusBeta2);
  v vc1 = wasm_f32x4_splat(c1), vc2 = wasm_f32x4_splat(c2);
  v lr = wasm_f32x4_splat(negLr), e = wasm_f32x4_splat(eps);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    v gi = wasm_v128_load(g + i);
    v mi = flush(
        wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(gi, o1)));
    v vi = flush(wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v_ + i), b2),
                                wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), o2)));
    v step = wasm_f32x4_div(wasm_f32x4_div(mi, vc1),
                            wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, vc2)), e));
    wasm_v128_store(m2 + i, mi);
    wasm_v128_store(v2 + i, vi);
    wasm_v128_store(w2 + i, wasm_f32x4_add(wasm_f32x4_mul(step, lr), wasm_v128_load(w + i)));
  }
  for (; i < i1; i++) {
    float gi = g[i];
    float mi = flush1(m[i] * beta1 + gi * oneMinusBeta1);
    float vi = flush1(v_[i] * beta2 + (gi * gi) * oneMinusBeta2);
    float step = (mi / c1) / (__builtin_sqrtf(vi / c2) + eps);
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = step * negLr + w[i];
  }
}
