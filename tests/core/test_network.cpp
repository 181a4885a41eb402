// The network as a whole: backward through every layer and softmax-CE, the
// arena layout, and determinism under a seed.
#include <catch2/catch.hpp>

#include <cstring>

#include "nn/model/spec.h"
#include "nn/train/loss.h"
#include "nn/train/trainer.h"
#include "nn/util/check.h"
#include "support/fixtures.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

namespace {

// Mean softmax-CE of the logits for x. x: (n, 784)
double network_loss(Network& net, const std::vector<float>& x, const std::vector<uint8_t>& labels,
                    float* dlogits = nullptr) {
  const int n = int(labels.size());
  return softmax_cross_entropy(net.forward(x.data(), n, false), labels.data(), n, kClasses, nullptr, dlogits);
}

// Network::backward from dL/dlogits against central differences of the mean loss,
// for every parameter in the arena.
GradReport check_network_gradients(Network& net, const std::vector<float>& x,
                                   const std::vector<uint8_t>& labels, const GradTolerance& tol) {
  std::vector<float> dlogits(labels.size() * kClasses);
  network_loss(net, x, labels, dlogits.data());
  net.backward(dlogits.data(), int(labels.size()));
  const std::vector<float> analytic(net.grads(), net.grads() + net.param_count());
  auto loss = [&] { return network_loss(net, x, labels); };
  return compare_gradients(net.params(), analytic.data(), analytic.size(), loss, tol, "param");
}

std::vector<float> random_images(int n, uint64_t seed) {
  Rng rng(seed);
  return uniform_values(size_t(n) * kImagePixels, rng, 0.0f, 1.0f);
}

}  // namespace

TEST_CASE("network: gradients through conv, tanh, pool, sigmoid and softmax-CE", "[network][gradcheck]") {
  // The leading pool(2), which has no parameters, halves the input so that the
  // 837 parameters x 2 forwards stay quick under the sanitizers.
  const std::string spec = "pool(2)-conv(2,3,same)-tanh-pool(2)-conv(3,3)-sigmoid-flatten-dense(10)";
  const std::vector<float> x = random_images(2, 1);
  const std::vector<uint8_t> labels = {3, 7};
  // The loss comes from float logits, rounded to ~1e-7; at eps 1e-3 that leaves
  // ~5e-5 of noise in each central difference, half a percent of the 1e-2 floor:
  // hence the looser tolerance.
  GradTolerance tol;
  tol.eps = 1e-3;
  tol.rel_tol = 1e-2;
  // The max-pool after tanh has a kink wherever a window's top two values tie. A
  // first-conv weight moves each tanh output by at most eps * max|x| = eps, so a gap
  // over 4 eps keeps every winner in place. Take the first seed that gives such gaps.
  std::unique_ptr<Network> net;
  double gap = 0;
  uint64_t seed = 0;
  while (gap <= 4 * tol.eps) {
    REQUIRE(++seed < 200);
    net = build_network(spec, seed);
    network_loss(*net, x, labels);
    gap = INFINITY;
    for (int s = 0; s < 2; ++s)
      gap = std::min(gap, min_window_gap(net->activation(2, s), net->layer(2).out_shape(), 2));
  }
  const GradReport r = check_network_gradients(*net, x, labels, tol);
  INFO("seed " << seed << ", window gap " << gap << ": " << r.worst);
  CHECK(r.checked == net->param_count());
  CHECK(r.max_rel_error < tol.rel_tol);
}

TEST_CASE("network: gradients through average pooling and global average pooling", "[network][gradcheck]") {
  // Both poolings are linear, so only tanh and sigmoid bend the loss: no kinks to avoid.
  const std::string spec = "avgpool(2)-conv(3,3,same)-tanh-avgpool(2)-conv(4,3,same)-sigmoid-gap-dense(10)";
  const std::vector<float> x = random_images(2, 5);
  const std::vector<uint8_t> labels = {1, 8};
  GradTolerance tol;  // as above: float logits, eps 1e-3
  tol.eps = 1e-3;
  tol.rel_tol = 1e-2;
  auto net = build_network(spec, 3);
  CHECK(net->layer(3).out_shape() == image_shape(3, 7, 7));
  CHECK(net->layer(6).out_shape() == image_shape(4, 1, 1));
  const GradReport r = check_network_gradients(*net, x, labels, tol);
  INFO(r.worst);
  CHECK(r.checked == net->param_count());
  CHECK(r.max_rel_error < tol.rel_tol);
}

TEST_CASE("network: gradients through a relu dense stack", "[network][gradcheck]") {
  const std::string spec = "dense(6)-relu-dense(8)-relu-dense(10)";
  const std::vector<float> x = random_images(2, 2);
  const std::vector<uint8_t> labels = {0, 9};
  GradTolerance tol;  // as above
  tol.eps = 1e-3;
  tol.rel_tol = 1e-2;
  // ReLU kinks: perturbing a weight by eps moves its own layer's pre-activations by
  // at most eps times the largest input to that layer (and later layers' by about
  // as much), so keep every pre-activation several times that away from 0. Take the
  // first seed that does.
  std::unique_ptr<Network> net;
  double margin = 0;
  uint64_t seed = 0;
  while (margin <= 4 * tol.eps) {
    REQUIRE(++seed < 200);
    net = build_network(spec, seed);
    network_loss(*net, x, labels);
    margin = INFINITY;
    double largest_hidden = 0;
    for (size_t layer : {size_t(0), size_t(2)})
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < net->layer(layer).out_shape().size(); ++i) {
          margin = std::min(margin, std::fabs(double(net->activation(layer, s)[i])));
          largest_hidden = std::max(largest_hidden, double(net->activation(layer + 1, s)[i]));
        }
    margin /= std::max(1.0, largest_hidden);
  }
  const GradReport r = check_network_gradients(*net, x, labels, tol);
  INFO("seed " << seed << ", margin " << margin << ": " << r.worst);
  CHECK(r.checked == net->param_count());
  CHECK(r.max_rel_error < tol.rel_tol);
}

TEST_CASE("network: arena layout and batch independence", "[network]") {
  auto net = build_network("conv(2,3)-relu-pool(2)-dense(10)", 4);
  // conv: 2*1*3*3 + 2 = 20; relu, pool: 0; dense on 2x13x13 = 338: 338*10 + 10 = 3390
  REQUIRE(net->layer_count() == 4);
  CHECK(net->param_count() == 3410);
  CHECK(net->param_offset(0) == 0);
  CHECK(net->param_offset(1) == 20);
  CHECK(net->param_offset(3) == 20);
  CHECK(net->output_shape() == flat_shape(10));

  // Each sample's logits in a batch of 3 equal that sample's logits alone.
  const std::vector<float> x = random_images(3, 6);
  const float* batch = net->forward(x.data(), 3, false);
  const std::vector<float> together(batch, batch + 30);
  for (int s = 0; s < 3; ++s) {
    const float* alone = net->forward(x.data() + size_t(s) * kImagePixels, 1, false);
    for (int k = 0; k < 10; ++k) CHECK(alone[k] == Approx(together[size_t(s) * 10 + k]).margin(1e-5));
  }
  // activation(i, s) is layer i's output for sample s of the last forward.
  CHECK(net->activation(3, 0) == net->forward(x.data(), 3, false));
  CHECK_THROWS_AS(net->activation(4, 0), Error);
  CHECK_THROWS_AS(net->activation(0, 3), Error);

  // A backward whose batch size does not match the forward is refused.
  std::vector<float> dlogits(20, 0.0f);
  CHECK_THROWS_WITH(net->backward(dlogits.data(), 2), Catch::Contains("forward of the same batch"));
}

TEST_CASE("network: one seed gives one run, bit for bit", "[network][trainer]") {
  // Dropout draws from the network's generator, augmentation and shuffling from
  // the trainer's: both are seeded, so a run is a function of the seeds alone.
  const std::string spec = "conv(3,3,same)-relu-pool(2)-flatten-dropout(0.25)-dense(16)-tanh-dense(10)";
  const Dataset data = blob_dataset(48, 3);
  struct Run {
    std::vector<float> init, trained;
    std::vector<double> losses;
  };
  auto run = [&](uint64_t seed) {
    auto net = build_network(spec, seed);
    Run r;
    r.init.assign(net->params(), net->params() + net->param_count());
    TrainConfig cfg;
    cfg.epochs = 1;
    cfg.batch = 8;
    cfg.lr = 1e-2f;
    cfg.augment = true;
    cfg.seed = seed;
    Trainer trainer(*net, data, cfg);
    trainer.step(5, [&](const Progress& p) { r.losses.push_back(p.loss); });
    r.trained.assign(net->params(), net->params() + net->param_count());
    return r;
  };
  const Run a = run(42), b = run(42), c = run(43);
  REQUIRE(a.losses.size() == 5);
  REQUIRE(b.losses.size() == 5);
  auto same_bits = [](const auto& u, const auto& v) {
    return u.size() == v.size() && std::memcmp(u.data(), v.data(), u.size() * sizeof(u[0])) == 0;
  };
  CHECK(same_bits(a.init, b.init));
  CHECK(same_bits(a.trained, b.trained));
  CHECK(same_bits(a.losses, b.losses));
  CHECK(a.trained != a.init);  // training did move the weights
  CHECK_FALSE(same_bits(a.init, c.init));
  CHECK_FALSE(same_bits(a.losses, c.losses));
}
