#include "nn/train/loss.h"

#include <algorithm>
#include <cmath>

namespace mnist {

int argmax(const float* x, int K) {
  int best = 0;
  for (int k = 1; k < K; ++k)
    if (x[k] > x[best]) best = k;
  return best;
}

void softmax(const float* x, float* p, int K) {
  const float m = *std::max_element(x, x + K);
  double sum = 0;
  for (int k = 0; k < K; ++k) {
    p[k] = std::exp(x[k] - m);
    sum += p[k];
  }
  const float inv = float(1.0 / sum);
  for (int k = 0; k < K; ++k) p[k] *= inv;
}

double softmax_cross_entropy(const float* logits, const uint8_t* labels, int n, int K, float* probs,
                             float* dlogits, int* correct, float smoothing) {
  double total = 0;
  int hits = 0;
  const float inv_n = 1.0f / float(n);
  // q_k = off for every class but the label's, on for the label's.
  const float off = smoothing / float(K), on = 1.0f - smoothing + off;
  for (int s = 0; s < n; ++s) {
    const float* z = logits + size_t(s) * K;
    const float m = *std::max_element(z, z + K);
    double sum = 0, zsum = 0;
    for (int k = 0; k < K; ++k) {
      sum += std::exp(double(z[k] - m));
      zsum += double(z[k] - m);
    }
    const double log_sum = std::log(sum);
    const int y = labels[s];
    // -sum_k q_k log softmax(z)_k = log_sum - (1 - s) (z_y - m) - s/K sum_k (z_k - m)
    total += log_sum - double(1.0f - smoothing) * double(z[y] - m);
    if (smoothing > 0.0f) total -= double(off) * zsum;
    if (argmax(z, K) == y) ++hits;
    if (probs || dlogits) {
      for (int k = 0; k < K; ++k) {
        const float p = float(std::exp(double(z[k] - m) - log_sum));
        if (probs) probs[size_t(s) * K + k] = p;
        if (dlogits) dlogits[size_t(s) * K + k] = (p - (k == y ? on : off)) * inv_n;
      }
    }
  }
  if (correct) *correct = hits;
  return total / n;
}

}  // namespace mnist
