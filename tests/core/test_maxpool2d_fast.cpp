// MaxPool2d's fast paths (k = 2 branch-free, backward from x and y) against the
// naive argmax scan, on odd planes, ties and several channels.
#include <catch2/catch.hpp>

#include <vector>

#include "nn/layers/maxpool2d.h"
#include "nn/util/rng.h"
#include "support/bound_layer.h"

using namespace mnist;
using namespace mnist::test;

TEST_CASE("maxpool2d: the layer equals the naive scan, ties included", "[maxpool2d]") {
  struct Case {
    int n, C, H, W, k;
  };
  for (const Case c : {Case{2, 3, 4, 4, 2}, Case{3, 2, 7, 5, 2}, Case{1, 4, 26, 26, 2}, Case{2, 2, 9, 8, 3},
                       Case{1, 1, 2, 3, 2}}) {
    for (bool ties : {false, true}) {
      INFO("n " << c.n << " C " << c.C << " H " << c.H << " W " << c.W << " k " << c.k << " ties " << ties);
      MaxPool2d pool(c.k);
      BoundLayer b(pool, image_shape(c.C, c.H, c.W), c.n);
      Rng rng(uint64_t(c.H * 31 + c.k + ties));
      // With ties, values come from {0, 1, 2} (and ReLU-like zeros), so most
      // windows hold equal maxima and the first one in row order must win.
      std::vector<float> x(size_t(c.n) * b.in_size()), dy(size_t(c.n) * b.out_size());
      for (auto& v : x) v = ties ? float(rng.below(3)) : rng.normal();
      for (auto& v : dy) v = rng.normal();
      std::vector<float> y_ref(dy.size()), dx_ref(x.size());
      maxpool2d_reference_forward(x.data(), y_ref.data(), c.n, c.C, c.H, c.W, c.k);
      maxpool2d_reference_backward(x.data(), dy.data(), dx_ref.data(), c.n, c.C, c.H, c.W, c.k);
      const std::vector<float> y = b.forward(x, c.n);
      CHECK(y == y_ref);
      CHECK(b.backward(x, y, dy, c.n) == dx_ref);
    }
  }
}
