#pragma once
#include <cstdint>

namespace mnist {

// Fused softmax + cross-entropy, averaged over the batch (the only place the
// batch mean is applied). Stable: subtracts each row's max before exp.
// logits: (n, K); labels: (n); probs (optional, may be null): (n, K);
// dlogits (optional): (n, K) = (softmax - q) / n.
// The target q is the one-hot label, or with label smoothing s in [0, 1) the
// mixture q = (1 - s) onehot + s / K: the loss is then -sum_k q_k ln p_k, which
// keeps the logits from growing without bound on digits already learnt.
// Returns the mean loss; `correct` (optional) counts argmax hits.
double softmax_cross_entropy(const float* logits, const uint8_t* labels, int n, int K, float* probs,
                             float* dlogits, int* correct = nullptr, float smoothing = 0.0f);

// Softmax of one row, in place-safe. x, p: (K)
void softmax(const float* x, float* p, int K);

// Index of the largest value (first on ties). x: (K)
int argmax(const float* x, int K);

}  // namespace mnist
