// Fused softmax + cross-entropy, averaged over the batch.
#include <catch2/catch.hpp>

#include <cmath>

#include "nn/train/loss.h"
#include "support/gradcheck.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("loss: softmax cross-entropy by hand", "[loss]") {
  // logits [1, 2, 3], label 2:
  //   softmax = e^z / (e + e^2 + e^3) = [1, e, e^2] / (1 + e + e^2)
  //           = [1, 2.7182818, 7.3890561] / 11.1073379 = [0.0900306, 0.2447285, 0.6652410]
  //   loss    = -ln 0.6652410 = ln(1 + e^-1 + e^-2) = ln 1.5032147 = 0.4076060
  const float z[] = {1, 2, 3};
  const uint8_t label[] = {2};
  float probs[3], dz[3];
  int correct = -1;
  const double loss = softmax_cross_entropy(z, label, 1, 3, probs, dz, &correct);
  CHECK(loss == Approx(0.4076060).epsilon(1e-6));
  CHECK(probs[0] == Approx(0.0900306f).epsilon(1e-5));
  CHECK(probs[1] == Approx(0.2447285f).epsilon(1e-5));
  CHECK(probs[2] == Approx(0.6652410f).epsilon(1e-5));
  // dL/dz = softmax - onehot
  CHECK(dz[0] == Approx(0.0900306f).epsilon(1e-5));
  CHECK(dz[1] == Approx(0.2447285f).epsilon(1e-5));
  CHECK(dz[2] == Approx(-0.3347590f).epsilon(1e-5));
  CHECK(correct == 1);

  SECTION("the batch mean is applied once") {
    // The same row with label 0 costs ln(1 + e^-1 + e^-2) + 2 = 2.4076060; the mean of
    // the two rows is 1.4076060 and each row's gradient is halved.
    const float zz[] = {1, 2, 3, 1, 2, 3};
    const uint8_t labels[] = {2, 0};
    float dzz[6];
    const double mean = softmax_cross_entropy(zz, labels, 2, 3, nullptr, dzz, &correct);
    CHECK(mean == Approx(1.4076060).epsilon(1e-6));
    CHECK(dzz[2] == Approx(-0.3347590f / 2).epsilon(1e-5));
    CHECK(dzz[3] == Approx((0.0900306f - 1) / 2).epsilon(1e-5));
    CHECK(correct == 1);  // argmax is 2 for both rows
  }
}

TEST_CASE("loss: stable for huge logits", "[loss]") {
  float probs[3], dz[3];
  SECTION("a confident right answer costs ~0, a confident wrong one ~1000") {
    const float z[] = {1000, 0, -1000};
    const uint8_t right[] = {0}, wrong[] = {1};
    const double l_right = softmax_cross_entropy(z, right, 1, 3, probs, dz);
    CHECK(std::isfinite(l_right));
    CHECK(l_right == Approx(0.0).margin(1e-12));
    CHECK(probs[0] == 1.0f);
    const double l_wrong = softmax_cross_entropy(z, wrong, 1, 3, probs, dz);
    CHECK(l_wrong == Approx(1000.0));
    for (float v : dz) CHECK(std::isfinite(v));
    CHECK(dz[1] == Approx(-1.0f));
  }
  SECTION("equal huge logits give ln K") {
    const float z[] = {1000, 1000, 1000};
    const uint8_t label[] = {1};
    CHECK(softmax_cross_entropy(z, label, 1, 3, probs, dz) == Approx(std::log(3.0)));
    for (float p : probs) CHECK(p == Approx(1.0f / 3));
    float p2[3];
    softmax(z, p2, 3);
    for (float p : p2) CHECK(p == Approx(1.0f / 3));
  }
}

TEST_CASE("loss: gradient matches finite differences, with and without label smoothing",
          "[loss][gradcheck]") {
  const int n = 4, K = 10;
  Rng rng(12);
  std::vector<float> z = uniform_values(size_t(n) * K, rng, -3, 3);
  const uint8_t labels[] = {4, 0, 9, 4};
  for (float smoothing : {0.0f, 0.1f, 0.5f}) {
    INFO("smoothing " << smoothing);
    std::vector<float> dz(z.size());
    softmax_cross_entropy(z.data(), labels, n, K, nullptr, dz.data(), nullptr, smoothing);
    auto loss = [&] {
      return softmax_cross_entropy(z.data(), labels, n, K, nullptr, nullptr, nullptr, smoothing);
    };
    GradTolerance tol;
    tol.eps = 1e-3;
    tol.abs_floor = 1e-3;
    const GradReport r = compare_gradients(z.data(), dz.data(), z.size(), loss, tol, "logit");
    INFO(r.worst);
    CHECK(r.checked == size_t(n) * K);
    CHECK(r.max_rel_error < tol.rel_tol);
  }
}

TEST_CASE("loss: label smoothing by hand", "[loss]") {
  // logits [1, 2, 3], label 2, smoothing 0.3 over K = 3: q = [0.1, 0.1, 0.8].
  //   loss = -sum q ln p = 0.1 * 2.4076060 + 0.1 * 1.4076060 + 0.8 * 0.4076060 = 0.7076060
  //   (-ln p = [2.4076060, 1.4076060, 0.4076060], from the softmax above)
  //   dL/dz = p - q = [0.0900306 - 0.1, 0.2447285 - 0.1, 0.6652410 - 0.8]
  const float z[] = {1, 2, 3};
  const uint8_t label[] = {2};
  float probs[3], dz[3];
  int correct = -1;
  const double loss = softmax_cross_entropy(z, label, 1, 3, probs, dz, &correct, 0.3f);
  CHECK(loss == Approx(0.7076060).epsilon(1e-6));
  CHECK(dz[0] == Approx(-0.0099694f).epsilon(1e-4));
  CHECK(dz[1] == Approx(0.1447285f).epsilon(1e-5));
  CHECK(dz[2] == Approx(-0.1347590f).epsilon(1e-5));
  CHECK(probs[2] == Approx(0.6652410f).epsilon(1e-5));  // the probabilities are the softmax's
  CHECK(correct == 1);
  // The gradient of each row sums to zero, as q and p both sum to one.
  CHECK(dz[0] + dz[1] + dz[2] == Approx(0.0f).margin(1e-6));
  // Smoothing 0 is the plain loss, bit for bit.
  float plain[3], zero[3];
  CHECK(softmax_cross_entropy(z, label, 1, 3, nullptr, plain) ==
        softmax_cross_entropy(z, label, 1, 3, nullptr, zero, nullptr, 0.0f));
  for (int k = 0; k < 3; ++k) CHECK(plain[k] == zero[k]);
}

TEST_CASE("loss: softmax sums to one and argmax takes the first of ties", "[loss]") {
  const float z[] = {0.5f, -1, 3, 3, 2};
  float p[5];
  softmax(z, p, 5);
  double sum = 0;
  for (float v : p) sum += v;
  CHECK(sum == Approx(1.0));
  CHECK(p[2] == p[3]);
  CHECK(p[1] < p[0]);
  CHECK(argmax(z, 5) == 2);
  const float neg[] = {-5, -3, -4};
  CHECK(argmax(neg, 3) == 1);
}
