// The Session's Draw-view operations: each is the core function it wraps, on the
// session's model, and bad input throws with the session as it was.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "nn/data/dataset.h"
#include "nn/data/preprocess.h"
#include "nn/explain/saliency.h"
#include "nn/model/spec.h"
#include "nn/session.h"
#include "nn/train/loss.h"
#include "nn/util/check.h"
#include "support/fixtures.h"

using namespace mnist;
using namespace mnist::test;
using Catch::Contains;

namespace {

std::vector<float> probs_of(Session& s, const std::vector<float>& image) {
  const float* p = s.predict(image.data());
  return {p, p + kClasses};
}

// A 40x40 drawing: a bar in the top-left quarter.
std::vector<float> drawing() {
  std::vector<float> px(40 * 40, 0.0f);
  for (int y = 4; y < 16; ++y)
    for (int x = 6; x < 9; ++x) px[size_t(y * 40 + x)] = 1.0f;
  return px;
}

}  // namespace

TEST_CASE("session: prepare preprocesses, moves and predicts the drawing", "[session][draw]") {
  Session s;
  s.create_model("conv(2,3)-relu-pool(2)-flatten-dense(10)", 1);
  const auto px = drawing();
  for (bool centre : {true, false}) {
    CAPTURE(centre);
    const auto base = centre ? preprocess_drawing(px.data(), 40, 40) : scale_drawing(px.data(), 40, 40);
    const auto moved = transform_image(base.data(), 2, -1, 15, 1);
    const float* p = s.prepare(px.data(), 40, 40, centre, 2, -1, 15, 1);
    const std::vector<float> probs(p, p + kClasses);
    CHECK(std::vector<float>(s.last_input(), s.last_input() + kImagePixels) == moved);
    CHECK(probs == probs_of(s, moved));
    s.prepare(px.data(), 40, 40, centre, 0, 0, 0, 0);
    CHECK(std::vector<float>(s.last_input(), s.last_input() + kImagePixels) == base);
  }
  CHECK_THROWS_WITH(s.prepare(px.data(), 40, 40, true, 0, 0, 0, 5), Contains("thickness"));
}

TEST_CASE("session: sweep predicts the image moved by each value", "[session][draw]") {
  Session s;
  s.create_model("dense(16)-relu-dense(10)", 2);
  const auto px = drawing();
  s.prepare(px.data(), 40, 40, true, 0, 0, 0, 0);
  const std::vector<float> image(s.last_input(), s.last_input() + kImagePixels);
  const std::vector<float> values = {-8, -2.5f, 0, 3, 8}, steps = {-2, -1, 0, 1, 2};
  for (const std::string axis : {"x", "y", "angle", "thickness"}) {
    CAPTURE(axis);
    const auto& vs = axis == "thickness" ? steps : values;
    const float* p = s.sweep(image.data(), axis, vs.data(), int(vs.size()));
    const std::vector<float> all(p, p + vs.size() * kClasses);
    for (size_t k = 0; k < vs.size(); ++k) {
      const float v = vs[k];
      const auto moved = axis == "x"       ? transform_image(image.data(), v, 0, 0, 0)
                         : axis == "y"     ? transform_image(image.data(), 0, v, 0, 0)
                         : axis == "angle" ? transform_image(image.data(), 0, 0, v, 0)
                                           : transform_image(image.data(), 0, 0, 0, int(v));
      const auto want = probs_of(s, moved);
      for (int c = 0; c < kClasses; ++c)
        CHECK(all[k * kClasses + size_t(c)] == Approx(want[size_t(c)]).margin(1e-6));
    }
  }
  CHECK_THROWS_WITH(s.sweep(image.data(), "thickness", values.data(), 5), Contains("-2..2"));
  CHECK_THROWS_WITH(s.sweep(image.data(), "z", values.data(), 5), Contains("axis"));
  CHECK_THROWS_WITH(s.sweep(image.data(), "x", values.data(), 0), Contains("1..1000"));
}

TEST_CASE("session: saliency, fool and step trace act on the session's model", "[session][draw]") {
  Session s;
  s.create_model("dense(16)-relu-dense(10)", 3);
  auto twin = build_network("dense(16)-relu-dense(10)", 3);
  std::vector<float> image(kImagePixels);
  for (int i = 0; i < kImagePixels; ++i) image[size_t(i)] = float((i * 37) % 101) / 100.0f;
  const float* g = s.input_gradient(image.data(), 4);
  CHECK(std::vector<float>(g, g + kImagePixels) == input_gradient(*twin, image.data(), 4));
  const float* o = s.occlusion(image.data(), 4, 4);
  CHECK(std::vector<float>(o, o + kImagePixels) == occlusion(*twin, image.data(), 4, 4));

  const std::string fooled = s.fool(image.data(), 8, FoolSettings{});
  CHECK_THAT(fooled, Contains("\"reached\":true") && Contains("\"steps\":") && Contains("\"linf\":"));
  const std::vector<float> nudged(s.last_input(), s.last_input() + kImagePixels);
  CHECK(argmax(s.last_probs(), kClasses) == 8);
  CHECK(probs_of(s, nudged)[8] == s.last_probs()[8]);

  const std::string trace = s.step_trace(image.data(), 4, 0.1f);
  CHECK_THAT(trace,
             Contains("\"loss\":") && Contains("\"layers\":[{\"output\":[0,16],\"output_grad\":[16,16],"
                                               "\"grad\":[32,12560],\"change\":[12592,12560]}"));
  CHECK_THROWS_WITH(s.input_gradient(image.data(), -1), Contains("0..9"));
  image[5] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(s.occlusion(image.data(), 1, 4), Contains("non-finite"));
}

TEST_CASE("session: read_idx reads a user's digits and names what is wrong with bad files",
          "[session][idx]") {
  const Dataset ds = blob_dataset(3, 1);
  const IdxPair f = to_idx(ds);
  const Dataset back = Session::read_idx(f.images.data(), f.images.size(), f.labels.data(), f.labels.size());
  CHECK(back.count == 3);
  CHECK(back.images == ds.images);
  CHECK(back.labels == ds.labels);
  const auto wrong_size = image_idx(3, 20, 20, std::vector<uint8_t>(3 * 400, 0));
  CHECK_THROWS_WITH(Session::read_idx(wrong_size.data(), wrong_size.size(), f.labels.data(), f.labels.size()),
                    Contains("expected 28x28"));
  const auto two = label_idx({1, 2});
  CHECK_THROWS_WITH(Session::read_idx(f.images.data(), f.images.size(), two.data(), two.size()),
                    Contains("3 images but 2 labels"));
  CHECK_THROWS_WITH(Session::read_idx(f.images.data(), 10, f.labels.data(), f.labels.size()),
                    Contains("your digits"));
}
