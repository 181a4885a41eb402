#include "nn/layers/batchnorm.h"

#include <algorithm>
#include <cmath>

#include "nn/util/check.h"

namespace mnist {

Shape BatchNorm::configure(const Shape& in) {
  check(in.c >= 1 && in.size() >= 1, "bn: needs a non-empty input");
  in_ = out_ = in;
  return out_;
}

void BatchNorm::init(Rng&) {
  const int C = in_.c;
  std::fill(w_, w_ + C, 1.0f);          // gamma
  std::fill(w_ + C, w_ + 2 * C, 0.0f);  // beta
  std::fill(s_, s_ + C, 0.0f);          // running mean
  std::fill(s_ + C, s_ + 2 * C, 1.0f);  // running variance
}

void BatchNorm::reserve(int max_batch) {
  xhat_.resize(size_t(max_batch) * in_.size());
  inv_std_.resize(in_.c);
}

void BatchNorm::forward(const float* x, float* y, int n, bool training) {
  last_training_ = training;
  const int C = in_.c, P = planes();
  const float *gamma = w_, *beta = w_ + C;
  float *run_mean = s_, *run_var = s_ + C;
  const double count = double(n) * P;
  for (int c = 0; c < C; ++c) {
    float mean, inv_std;
    if (training) {
      // Two passes in double: the variance of values far from 0 stays exact.
      double sum = 0;
      for (int s = 0; s < n; ++s) {
        const float* xs = x + (size_t(s) * C + c) * P;
        for (int i = 0; i < P; ++i) sum += xs[i];
      }
      const double mu = sum / count;
      double sq = 0;
      for (int s = 0; s < n; ++s) {
        const float* xs = x + (size_t(s) * C + c) * P;
        for (int i = 0; i < P; ++i) sq += (xs[i] - mu) * (xs[i] - mu);
      }
      const double var = sq / count;
      mean = float(mu);
      inv_std = float(1.0 / std::sqrt(var + kEps));
      inv_std_[c] = inv_std;
      run_mean[c] = (1 - kMomentum) * run_mean[c] + kMomentum * mean;
      const double unbiased = count > 1 ? var * count / (count - 1) : var;
      run_var[c] = (1 - kMomentum) * run_var[c] + kMomentum * float(unbiased);
    } else {
      mean = run_mean[c];
      inv_std = 1.0f / std::sqrt(std::max(run_var[c], 0.0f) + kEps);
      inv_std_[c] = inv_std;
    }
    const float g = gamma[c], b = beta[c];
    for (int s = 0; s < n; ++s) {
      const size_t at = (size_t(s) * C + c) * P;
      const float* xs = x + at;
      float* ys = y + at;
      float* hs = xhat_.data() + at;
      for (int i = 0; i < P; ++i) {
        hs[i] = (xs[i] - mean) * inv_std;
        ys[i] = g * hs[i] + b;
      }
    }
  }
}

// With m = n * H * W values per channel and xhat the normalised input:
//   dbeta = sum dy, dgamma = sum dy * xhat,
//   dx = gamma * inv_std / m * (m * dy - dbeta - xhat * dgamma).
// After an inference forward the mean and variance are constants (the running
// ones), so dx = gamma * inv_std * dy: the explanations differentiate a trained
// model as it predicts.
void BatchNorm::backward(const float*, const float*, const float* dy, float* dx, int n) {
  const int C = in_.c, P = planes();
  const float* gamma = w_;
  float *dgamma = dw_, *dbeta = dw_ + C;
  const float m = float(double(n) * P);
  for (int c = 0; c < C; ++c) {
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int s = 0; s < n; ++s) {
      const size_t at = (size_t(s) * C + c) * P;
      const float *g = dy + at, *hs = xhat_.data() + at;
      for (int i = 0; i < P; ++i) {
        sum_dy += g[i];
        sum_dy_xhat += double(g[i]) * hs[i];
      }
    }
    dbeta[c] = float(sum_dy);
    dgamma[c] = float(sum_dy_xhat);
    if (!dx) continue;
    if (!last_training_) {
      const float scale = gamma[c] * inv_std_[c];
      for (int s = 0; s < n; ++s) {
        const size_t at = (size_t(s) * C + c) * P;
        for (int i = 0; i < P; ++i) dx[at + i] = scale * dy[at + i];
      }
      continue;
    }
    const float scale = gamma[c] * inv_std_[c] / m, db = float(sum_dy), dg = float(sum_dy_xhat);
    for (int s = 0; s < n; ++s) {
      const size_t at = (size_t(s) * C + c) * P;
      const float *g = dy + at, *hs = xhat_.data() + at;
      float* d = dx + at;
      for (int i = 0; i < P; ++i) d[i] = scale * (m * g[i] - db - hs[i] * dg);
    }
  }
}

}  // namespace mnist
