#pragma once
// Why a model reads a digit as it does: how each input pixel pushes a class's
// score (the gradient, from the backward pass run down to the input) and, as a
// check that needs no gradient, how much the class's probability drops when a
// patch of the image is blanked (occlusion).
#include <vector>

#include "nn/model/network.h"

namespace mnist {

// d logits[cls] / d image, the model in inference mode. image: (784) -> (784)
std::vector<float> input_gradient(Network& net, const float* image, int cls);

// The cross-entropy of `label` on image and its gradient with respect to the
// image, the model in inference mode. image: (784); grad: (784) is written.
double loss_input_gradient(Network& net, const float* image, int label, float* grad);

// For each patch x patch square (stride patch; the last row and column of
// squares are cut short when patch does not divide 28), probs[cls] of the image
// minus probs[cls] with that square set to 0; every pixel gets its square's
// value. image: (784) -> (784)
std::vector<float> occlusion(Network& net, const float* image, int cls, int patch = 4);

}  // namespace mnist
