#pragma once
// Finite-difference gradient checks, after tiny-dnn's and ggml's test-backend-ops.
//
// The loss is a fixed random projection of the output, L = sum(y .* r), summed in
// double, so dL/dy = r: one backward with dy = r gives the analytic derivative of L
// with respect to every input and every parameter, and each one is compared with
// the central difference (L(v + eps) - L(v - eps)) / 2 eps.
//
// Central differences are only right away from kinks. A ReLU whose input is within
// eps of 0, or a max-pool window whose two largest values are within 2 eps, can
// flip under the perturbation and give a numeric derivative that is half of one
// side and half of the other. Hence spaced_values: inputs with |x| >= min_abs and
// all pairwise gaps >= gap (choose gap > 4 eps).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "support/bound_layer.h"

namespace mnist::test {

struct GradTolerance {
  double eps = 1e-2;        // the perturbation of one value
  double rel_tol = 1e-3;    // largest relative error accepted
  double abs_floor = 1e-2;  // derivatives smaller than this are compared absolutely
};

// For a layer that is linear in each value on its own (dense, conv, flatten, dropout
// with its mask fixed) the central difference is exact at any step, so a large eps
// only shrinks the float rounding noise in L(v + eps) - L(v - eps).
inline GradTolerance linear_tolerance() { return GradTolerance{0.25, 1e-3, 1e-2}; }

struct GradReport {
  size_t checked = 0;
  double max_rel_error = 0;
  std::string worst;  // "param 12: analytic 0.5 numeric 0.49", for the failure message
};

// |a - b| relative to the larger of the two, or to `floor` when both are small.
inline double rel_error(double a, double b, double floor) {
  return std::fabs(a - b) / std::max({std::fabs(a), std::fabs(b), floor});
}

// For every i: perturbs values[i] by ±eps, re-evaluates `loss` and compares the
// central difference with analytic[i]. values is restored bit for bit afterwards.
// values, analytic: (n)
inline GradReport compare_gradients(float* values, const float* analytic, size_t n,
                                    const std::function<double()>& loss, const GradTolerance& tol,
                                    const char* what) {
  GradReport r;
  for (size_t i = 0; i < n; ++i) {
    const float saved = values[i];
    values[i] = float(saved + tol.eps);
    const double up = loss();
    values[i] = float(saved - tol.eps);
    const double down = loss();
    values[i] = saved;
    // The step actually taken, after rounding saved ± eps to float.
    const double h = double(float(saved + tol.eps)) - double(float(saved - tol.eps));
    const double numeric = (up - down) / h;
    const double err = rel_error(analytic[i], numeric, tol.abs_floor);
    ++r.checked;
    if (err >= r.max_rel_error) {
      r.max_rel_error = err;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s %zu: analytic %.7g numeric %.7g", what, i, double(analytic[i]),
                    numeric);
      r.worst = buf;
    }
  }
  return r;
}

// n distinct values, shuffled: ±min_abs, ±(min_abs + gap), ±(min_abs + 2 gap), ...
// Every |v| >= min_abs and every two differ by at least `gap`.
inline std::vector<float> spaced_values(size_t n, Rng& rng, double gap = 0.05, double min_abs = 0.1) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    const double mag = min_abs + double(i / 2) * gap;
    v[i] = float(i % 2 ? -mag : mag);
  }
  rng.shuffle(v.data(), v.size());
  return v;
}

inline std::vector<float> uniform_values(size_t n, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

// The smallest gap between the largest and second-largest value of any k x k
// pooling window (stride k, floor) of `a`: (C, H, W). A perturbation that moves
// values by less than half of it cannot change a window's winner.
inline double min_window_gap(const float* a, const Shape& s, int k) {
  double gap = INFINITY;
  for (int c = 0; c < s.c; ++c)
    for (int oy = 0; oy < s.h / k; ++oy)
      for (int ox = 0; ox < s.w / k; ++ox) {
        std::vector<float> w;
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) w.push_back(a[(c * s.h + oy * k + ky) * s.w + ox * k + kx]);
        std::partial_sort(w.begin(), w.begin() + 2, w.end(), std::greater<float>());
        gap = std::min(gap, double(w[0]) - w[1]);
      }
  return gap;
}

struct LayerGradReport {
  GradReport input, params;
};

// Checks dL/dx and dL/dparams of a bound layer at x for L = sum(y .* r), r a fixed
// random projection. Runs in training mode; the layer's generator is re-seeded
// before every forward, so a dropout mask is the same in each. x: (n, in)
inline LayerGradReport check_layer_gradients(BoundLayer& b, std::vector<float> x, int n,
                                             const GradTolerance& tol, uint64_t seed = 7) {
  constexpr uint64_t kMaskSeed = 99;
  Rng rng(seed);
  const std::vector<float> r = uniform_values(size_t(n) * b.out_size(), rng);
  std::vector<float> y(r.size());
  auto loss = [&] {
    b.rng.reseed(kMaskSeed);
    b.layer.forward(x.data(), y.data(), n, true);
    double s = 0;
    for (size_t i = 0; i < y.size(); ++i) s += double(y[i]) * r[i];
    return s;
  };
  loss();  // the forward that backward pairs with (conv reuses its columns)
  const std::vector<float> dx = b.backward(x, y, r, n);
  const std::vector<float> dparams = b.grads;
  LayerGradReport out;
  out.input = compare_gradients(x.data(), dx.data(), x.size(), loss, tol, "input");
  out.params = compare_gradients(b.params.data(), dparams.data(), dparams.size(), loss, tol, "param");
  return out;
}

}  // namespace mnist::test
