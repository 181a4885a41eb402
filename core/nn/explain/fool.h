#pragma once
// Fooling a model: the iterative fast gradient sign method, targeted. Each step
// moves every pixel by `step` against the sign of the gradient of the target's
// cross-entropy, then clips to the L-infinity ball of radius epsilon around the
// original image and to the pixel range [0, 1].
#include <vector>

#include "nn/model/network.h"

namespace mnist {

struct FoolSettings {
  float epsilon = 0.3f;  // the largest change of any pixel
  float step = 0.02f;    // each step's change of each pixel
  int max_steps = 100;
};

struct FoolResult {
  std::vector<float> image;  // (784) the nudged image
  std::vector<float> probs;  // (10) the model's probabilities for it
  int steps = 0;             // steps taken
  bool reached = false;      // the model's top class is the target
  double l1 = 0, linf = 0;   // sum and largest of |image - original|
};

// image: (784) in [0, 1]; target: 0..9. Stops as soon as the top class is the
// target (no step when it already is) or after max_steps. Throws mnist::Error
// for settings out of range.
FoolResult fool(Network& net, const float* image, int target, const FoolSettings& s);

}  // namespace mnist
