#include "nn/explain/saliency.h"

#include <algorithm>
#include <cstdint>

#include "nn/train/loss.h"
#include "nn/train/trainer.h"
#include "nn/util/check.h"
#include "nn/util/types.h"

namespace mnist {
namespace {

void check_class(int cls) { check(cls >= 0 && cls < kClasses, "the class must be 0..9, got ", cls); }

void check_classifier(const Network& net) {
  check(net.input_shape().size() == kImagePixels && net.output_shape().size() == kClasses,
        "the model must read 28x28 images and give 10 scores");
}

}  // namespace

std::vector<float> input_gradient(Network& net, const float* image, int cls) {
  check_class(cls);
  check_classifier(net);
  net.forward(image, 1, false);
  std::vector<float> dlogits(kClasses, 0.0f), grad(kImagePixels);
  dlogits[size_t(cls)] = 1.0f;
  net.backward(dlogits.data(), 1, grad.data());
  return grad;
}

double loss_input_gradient(Network& net, const float* image, int label, float* grad) {
  check_class(label);
  check_classifier(net);
  const float* logits = net.forward(image, 1, false);
  const uint8_t y = uint8_t(label);
  float dlogits[kClasses];
  const double loss = softmax_cross_entropy(logits, &y, 1, kClasses, nullptr, dlogits);
  net.backward(dlogits, 1, grad);
  return loss;
}

std::vector<float> occlusion(Network& net, const float* image, int cls, int patch) {
  check_class(cls);
  check_classifier(net);
  check(patch >= 1 && patch <= kImageSide, "the patch must be 1..28 pixels, got ", patch);
  float probs[kClasses];
  softmax(net.forward(image, 1, false), probs, kClasses);
  const float base = probs[cls];
  const int side = (kImageSide + patch - 1) / patch, patches = side * side;
  std::vector<float> out(kImagePixels), batch;
  // Blanked copies go through the model at most kEvalBatch at a time (4x4 patches: 49, one batch), the
  // batch the network's buffers already hold for predictions and evaluations.
  constexpr int kBatch = kEvalBatch;
  for (int first = 0; first < patches; first += kBatch) {
    const int n = std::min(kBatch, patches - first);
    batch.resize(size_t(n) * kImagePixels);
    for (int k = 0; k < n; ++k) {
      float* x = batch.data() + size_t(k) * kImagePixels;
      std::copy(image, image + kImagePixels, x);
      const int py = (first + k) / side * patch, px = (first + k) % side * patch;
      for (int y = py; y < std::min(py + patch, kImageSide); ++y)
        std::fill(x + y * kImageSide + px, x + y * kImageSide + std::min(px + patch, kImageSide), 0.0f);
    }
    const float* logits = net.forward(batch.data(), n, false);
    for (int k = 0; k < n; ++k) {
      softmax(logits + size_t(k) * kClasses, probs, kClasses);
      const float drop = base - probs[cls];
      const int py = (first + k) / side * patch, px = (first + k) % side * patch;
      for (int y = py; y < std::min(py + patch, kImageSide); ++y)
        std::fill(out.begin() + y * kImageSide + px,
                  out.begin() + y * kImageSide + std::min(px + patch, kImageSide), drop);
    }
  }
  return out;
}

}  // namespace mnist
