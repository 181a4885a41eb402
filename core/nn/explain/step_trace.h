#pragma once
// One training step made visible: a plain SGD step (no momentum, no weight
// decay) on a single digit, with what each layer computed on the way forward
// and on the way back, and how each weight moved. The model is in inference
// mode (dropout off, batch norm on its running statistics), so the step shows
// the model as it predicts; the weights afterwards are the updated ones.
#include <vector>

#include "nn/model/network.h"

namespace mnist {

struct TraceLayer {
  std::vector<float> output;       // (out_i) the forward output
  std::vector<float> output_grad;  // (out_i) d loss / d output
  std::vector<float> grad;         // (params_i) d loss / d its parameters
  std::vector<float> change;       // (params_i) -lr * grad, what the step added to each parameter
};

struct StepTrace {
  double loss = 0;           // the cross-entropy before the step
  std::vector<float> probs;  // (10) before the step
  std::vector<TraceLayer> layers;
};

// image: (784) in [0, 1]; label 0..9; lr > 0.
StepTrace step_trace(Network& net, const float* image, int label, float lr);

}  // namespace mnist
