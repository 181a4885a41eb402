#include "nn/explain/step_trace.h"

#include <cmath>
#include <cstdint>

#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "nn/util/types.h"

namespace mnist {

StepTrace step_trace(Network& net, const float* image, int label, float lr) {
  check(label >= 0 && label < kClasses, "the label must be 0..9, got ", label);
  check(std::isfinite(lr) && lr > 0.0f && lr <= 10.0f, "the learning rate must be in (0, 10], got ", lr);
  check(net.output_shape().size() == kClasses, "the model must give 10 scores");
  StepTrace t;
  t.probs.resize(kClasses);
  t.layers.resize(net.layer_count());
  const float* logits = net.forward(image, 1, false);
  const uint8_t y = uint8_t(label);
  float dlogits[kClasses];
  t.loss = softmax_cross_entropy(logits, &y, 1, kClasses, t.probs.data(), dlogits);
  for (size_t i = 0; i < net.layer_count(); ++i) {
    const float* a = net.activation(i);
    t.layers[i].output.assign(a, a + net.layer(i).out_shape().size());
  }
  net.backward(dlogits, 1, nullptr, [&](size_t i, const float* dy) {
    t.layers[i].output_grad.assign(dy, dy + net.layer(i).out_shape().size());
  });
  for (size_t i = 0; i < net.layer_count(); ++i) {
    TraceLayer& l = t.layers[i];
    const size_t at = net.param_offset(i), n = net.layer(i).param_count();
    l.grad.assign(net.grads() + at, net.grads() + at + n);
    l.change.resize(n);
    float* p = net.params() + at;
    for (size_t k = 0; k < n; ++k) {
      l.change[k] = -lr * l.grad[k];
      p[k] += l.change[k];
    }
  }
  return t;
}

}  // namespace mnist
