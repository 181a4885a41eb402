#pragma once
// The training defaults, written once. A layer spec trains with these unless told
// otherwise (the CLI); Recipe, TrainConfig, OptimizerConfig and Schedule start from
// them, and the page's Train form gets them through Engine.defaults()
// (Session::defaults()).
namespace mnist::defaults {

inline constexpr int kEpochs = 10;
inline constexpr int kBatch = 128;
inline constexpr float kLr = 1e-3f;
inline constexpr const char* kOptimizer = "adam";   // adam | sgd
inline constexpr const char* kSchedule = "cosine";  // constant | step | cosine | onecycle

}  // namespace mnist::defaults
