// SGD (momentum, weight decay, Nesterov), Adam(W) and the learning-rate schedules,
// against values worked out by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "nn/train/optimizer.h"
#include "nn/util/check.h"

using namespace mnist;

namespace {

// Two steps on one parameter starting at 1.0 with gradients 0.5 then -0.25.
std::vector<float> two_steps(const OptimizerConfig& cfg, float lr) {
  Optimizer opt(cfg, 1);
  float p = 1.0f;
  std::vector<float> out;
  for (float g : {0.5f, -0.25f}) {
    opt.step(&p, &g, lr);
    out.push_back(p);
  }
  CHECK(opt.steps() == 2);
  return out;
}

}  // namespace

TEST_CASE("optimizer: SGD with momentum by hand", "[optimizer]") {
  OptimizerConfig cfg;
  cfg.kind = "sgd";
  cfg.momentum = 0.9f;
  const float lr = 0.1f;
  SECTION("plain momentum") {
    // v1 = 0.5                     p1 = 1 - 0.1 * 0.5 = 0.95
    // v2 = 0.9 * 0.5 - 0.25 = 0.2  p2 = 0.95 - 0.1 * 0.2 = 0.93
    const auto p = two_steps(cfg, lr);
    CHECK(p[0] == Approx(0.95f));
    CHECK(p[1] == Approx(0.93f));
  }
  SECTION("with weight decay 0.1 (L2 added to the gradient)") {
    cfg.weight_decay = 0.1f;
    // g1 = 0.5 + 0.1 * 1 = 0.6              v1 = 0.6     p1 = 1 - 0.06 = 0.94
    // g2 = -0.25 + 0.1 * 0.94 = -0.156      v2 = 0.54 - 0.156 = 0.384
    //                                        p2 = 0.94 - 0.0384 = 0.9016
    const auto p = two_steps(cfg, lr);
    CHECK(p[0] == Approx(0.94f));
    CHECK(p[1] == Approx(0.9016f));
  }
  SECTION("Nesterov: the step looks ahead along the velocity") {
    cfg.nesterov = true;
    // v1 = 0.5      p1 = 1 - 0.1 * (0.5 + 0.9 * 0.5) = 1 - 0.095 = 0.905
    // v2 = 0.2      p2 = 0.905 - 0.1 * (-0.25 + 0.9 * 0.2) = 0.905 + 0.007 = 0.912
    const auto p = two_steps(cfg, lr);
    CHECK(p[0] == Approx(0.905f));
    CHECK(p[1] == Approx(0.912f));
  }
  SECTION("no momentum is plain gradient descent") {
    cfg.momentum = 0.0f;
    // p1 = 1 - 0.05 = 0.95, p2 = 0.95 + 0.025 = 0.975
    const auto p = two_steps(cfg, lr);
    CHECK(p[0] == Approx(0.95f));
    CHECK(p[1] == Approx(0.975f));
  }
}

TEST_CASE("optimizer: Adam with bias correction by hand", "[optimizer]") {
  OptimizerConfig cfg;  // adam, beta1 0.9, beta2 0.999, eps 1e-8
  const float lr = 0.01f;
  SECTION("plain") {
    // t=1: m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 0.00025
    //      mhat = 0.05 / (1 - 0.9) = 0.5, vhat = 0.00025 / (1 - 0.999) = 0.25
    //      p1 = 1 - 0.01 * 0.5 / sqrt(0.25) = 0.99
    // t=2: m = 0.9 * 0.05 + 0.1 * (-0.25) = 0.02
    //      v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225
    //      mhat = 0.02 / (1 - 0.81) = 0.1052632
    //      vhat = 0.00031225 / (1 - 0.998001) = 0.1562031, sqrt = 0.3952254
    //      p2 = 0.99 - 0.01 * 0.1052632 / 0.3952254 = 0.99 - 0.0026634 = 0.9873366
    const auto p = two_steps(cfg, lr);
    CHECK(p[0] == Approx(0.99f).epsilon(1e-6));
    CHECK(p[1] == Approx(0.9873366f).epsilon(1e-6));
  }
  SECTION("decoupled weight decay (AdamW)") {
    cfg.weight_decay = 0.1f;
    // p1 = 1 - 0.01 * (1 + 0.1 * 1) = 0.989
    // p2 = 0.989 - 0.01 * (0.2663370 + 0.1 * 0.989) = 0.989 - 0.0036524 = 0.9853476
    const auto p = two_steps(cfg, lr);
    CHECK(p[0] == Approx(0.989f).epsilon(1e-6));
    CHECK(p[1] == Approx(0.9853476f).epsilon(1e-6));
  }
  SECTION("the first step has size lr whatever the gradient's scale") {
    for (float g : {1e-3f, 3.0f, -1000.0f}) {
      Optimizer opt(cfg, 1);
      float p = 0.0f;
      opt.step(&p, &g, lr);
      CHECK(p == Approx(g > 0 ? -lr : lr).epsilon(1e-3));
    }
  }
}

TEST_CASE("optimizer: a momentum below 1e-30 is stored as 0, never left to sink into the subnormals",
          "[optimizer]") {
  // SGD with momentum 0.5 and a learning rate of 1e30, so that a momentum of 1e-31 would
  // still move the weight by 0.1: one gradient of 1e-29, then none. The momentum halves
  // each step (exactly: powers of two): 5e-30, 2.5e-30, 1.25e-30, then 6.25e-31, cut to 0,
  // and the weight stops there. Left alone it would sink through the subnormal floats
  // (each step slow on x86), still moving the weight for some 50 more steps.
  OptimizerConfig cfg;
  cfg.kind = "sgd";
  cfg.momentum = 0.5f;
  Optimizer opt(cfg, 1);
  float p = 0.0f, g = 1e-29f;
  std::vector<float> path;
  for (int t = 0; t < 200; ++t) {
    opt.step(&p, &g, 1e30f);
    g = 0.0f;
    path.push_back(p);
  }
  CHECK(path[0] == Approx(-10.0f));
  CHECK(path[3] == Approx(-18.75f));  // 10 + 5 + 2.5 + 1.25
  CHECK(path[3] != path[2]);          // still moving before the cut
  for (size_t t = 4; t < path.size(); ++t) CHECK(path[t] == path[3]);
}

TEST_CASE("optimizer: updates every element of the arena independently", "[optimizer]") {
  for (const char* kind : {"sgd", "adam"}) {
    OptimizerConfig cfg;
    cfg.kind = kind;
    Optimizer many(cfg, 3);
    float p[3] = {1, 2, 3};
    const float g[3] = {0.5f, 0, -2};
    many.step(p, g, 0.1f);
    for (int i = 0; i < 3; ++i) {
      Optimizer one(cfg, 1);
      float q = float(i + 1);
      one.step(&q, &g[i], 0.1f);
      INFO(kind << " element " << i);
      CHECK(p[i] == q);
    }
  }
}

TEST_CASE("optimizer: learning-rate schedules", "[optimizer]") {
  Schedule s;
  s.base_lr = 0.1f;
  s.total = 100;
  s.steps_per_epoch = 10;
  SECTION("constant") {
    for (long t : {0L, 50L, 100L}) CHECK(s.lr_at(t) == 0.1f);
  }
  SECTION("step: halve every 2 epochs (20 steps)") {
    s.kind = "step";
    s.step_epochs = 2;
    s.gamma = 0.5f;
    CHECK(s.lr_at(0) == Approx(0.1f));
    CHECK(s.lr_at(19) == Approx(0.1f));
    CHECK(s.lr_at(20) == Approx(0.05f));
    CHECK(s.lr_at(45) == Approx(0.025f));
    CHECK(s.lr_at(99) == Approx(0.1f / 16));
  }
  SECTION("cosine: base at the start, half in the middle, zero at the end") {
    s.kind = "cosine";
    CHECK(s.lr_at(0) == Approx(0.1f));
    // a quarter of the way: 0.1 * (1 + cos(pi/4)) / 2 = 0.1 * 0.8535534
    CHECK(s.lr_at(25) == Approx(0.08535534f));
    CHECK(s.lr_at(50) == Approx(0.05f));
    CHECK(s.lr_at(100) == Approx(0.0f).margin(1e-9));
    CHECK(s.lr_at(150) == Approx(0.0f).margin(1e-9));  // past the end it stays at the end
  }
  SECTION("onecycle: linear warm-up over 20% from base/10, then cosine down to base/1000") {
    s.kind = "onecycle";
    s.warmup = 0.2f;
    CHECK(s.lr_at(0) == Approx(0.01f));
    CHECK(s.lr_at(10) == Approx(0.1f * (0.1 + 0.9 * 0.5)));      // halfway up: 0.055
    CHECK(s.lr_at(20) == Approx(0.1f));                          // the peak
    CHECK(s.lr_at(60) == Approx(0.1f * (0.001 + 0.999 * 0.5)));  // halfway down: 0.05005
    CHECK(s.lr_at(100) == Approx(0.0001f));
    float prev = 0;
    for (long t = 0; t <= 20; ++t) {
      CHECK(s.lr_at(t) > prev);
      prev = s.lr_at(t);
    }
    for (long t = 21; t <= 100; ++t) {
      CHECK(s.lr_at(t) < prev);
      prev = s.lr_at(t);
    }
  }
}

TEST_CASE("optimizer: unknown names are rejected", "[optimizer]") {
  CHECK_THROWS_WITH(validate_optimizer("rmsprop"), Catch::Contains("unknown optimizer 'rmsprop'"));
  CHECK_THROWS_WITH(validate_schedule("linear"), Catch::Contains("unknown schedule 'linear'"));
  OptimizerConfig cfg;
  cfg.kind = "adagrad";
  CHECK_THROWS_AS(Optimizer(cfg, 4), Error);
  CHECK_NOTHROW(validate_optimizer("sgd"));
  CHECK_NOTHROW(validate_schedule("onecycle"));
}
