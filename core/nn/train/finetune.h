#pragma once
// Fine-tuning a trained model on a user's own digits without forgetting MNIST:
// every batch mixes the user's digits (repeated, each time lightly shifted and
// rotated by the trainer's augmentation) with MNIST training digits (replay),
// about half and half. The mix is one ordinary data set, so the ordinary
// Trainer runs it (one epoch of `steps` batches): progress, pause and stop work
// as for any run.
#include <cstdint>

#include "nn/data/dataset.h"
#include "nn/train/trainer.h"

namespace mnist {

struct FineTuneConfig {
  // cnn, 5 digits of a style it misread: 150 steps of 32 at Adam 3e-4 learn the
  // style and keep MNIST test accuracy within ~0.3 points (tests/core/test_finetune.cpp).
  int steps = 150;
  int batch = 32;
  float lr = 3e-4f;
  uint64_t seed = 1;  // which MNIST digits are replayed, the order and the augmentation
  void validate() const;
};

// The mix: steps * batch samples, half the user's digits (cycled) and half MNIST
// digits drawn from `mnist` without repeats, in one data set (the trainer shuffles it).
Dataset finetune_mix(const Dataset& user, const Dataset& mnist, const FineTuneConfig& cfg);

// The trainer's settings for that mix: one epoch, Adam at cfg.lr, constant
// rate, augmentation on (the trainer's small rotations and shifts).
TrainConfig finetune_train_config(const FineTuneConfig& cfg);

}  // namespace mnist
