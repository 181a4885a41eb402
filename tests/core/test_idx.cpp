// IDX files and the data set built from them: parsed exactly, every malformed
// file rejected with its reason; file helpers; the per-image transforms.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "nn/data/dataset.h"
#include "nn/data/idx.h"
#include "nn/util/check.h"
#include "support/fixtures.h"

using namespace mnist;
using namespace mnist::test;
using Catch::Contains;

namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> v) { return std::vector<uint8_t>(v.begin(), v.end()); }

IdxArray parse(const std::vector<uint8_t>& b, int rank) {
  return parse_idx(b.data(), b.size(), rank, "f.idx");
}

}  // namespace

TEST_CASE("idx: a file written by hand is parsed exactly", "[idx]") {
  // magic 0 0 8 3, dims 2, 1, 3 (big-endian), then 6 data bytes
  const auto file = bytes({0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 10, 20, 30, 40, 50, 255});
  const IdxArray a = parse(file, 3);
  CHECK(a.dims == std::vector<uint32_t>{2, 1, 3});
  CHECK(a.data == bytes({10, 20, 30, 40, 50, 255}));

  // A dimension above 255 shows the byte order: 0x00 0x00 0x01 0x02 = 258.
  std::vector<uint8_t> labels = bytes({0, 0, 8, 1, 0, 0, 1, 2});
  labels.resize(8 + 258, 7);
  const IdxArray l = parse(labels, 1);
  CHECK(l.dims == std::vector<uint32_t>{258});
  CHECK(l.data == std::vector<uint8_t>(258, 7));

  // make_idx writes that same layout.
  CHECK(make_idx({2, 1, 3}, bytes({10, 20, 30, 40, 50, 255})) == file);
}

TEST_CASE("idx: every malformed file is rejected with its reason", "[idx]") {
  const auto good = bytes({0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
  CHECK_NOTHROW(parse(good, 1));
  struct Case {
    const char* name;
    std::vector<uint8_t> file;
    int rank;
    const char* reason;
  };
  auto with_trailing = good;
  with_trailing.push_back(9);
  const Case cases[] = {
      {"empty", {}, 1, "empty file"},
      {"shorter than the magic", bytes({0, 0}), 1, "truncated header (2 bytes)"},
      {"wrong magic", bytes({1, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3}), 1, "not an IDX file (bad magic 1,0)"},
      {"wrong type byte (0x0D, float)", bytes({0, 0, 0x0D, 1, 0, 0, 0, 3, 1, 2, 3}), 1,
       "unsupported IDX data type 0xd"},
      {"labels where images are expected", good, 3, "has 1 dimensions, expected 3 (an image file)"},
      {"images where labels are expected", bytes({0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5}), 1,
       "has 3 dimensions, expected 1 (a label file)"},
      {"truncated dimensions", bytes({0, 0, 8, 3, 0, 0, 0, 1, 0, 0}), 3,
       "truncated header (10 bytes, need 16)"},
      {"truncated data", bytes({0, 0, 8, 1, 0, 0, 0, 3, 1, 2}), 1,
       "header declares 3 bytes of data, file has 2"},
      {"trailing bytes", with_trailing, 1, "1 unexpected trailing bytes after the declared 3"},
      {"a zero dimension", bytes({0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3}), 3, "dimension 1 is zero"},
      // 65536 * 65536 * 2 = 8 GiB declared
      {"absurd size", bytes({0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2}), 3, "declared size is absurd"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK_THROWS_WITH(parse(c.file, c.rank), Contains("f.idx: ") && Contains(c.reason));
  }
}

TEST_CASE("idx: idx_file_size reads a file's whole size from its first bytes", "[idx]") {
  auto size = [](const std::vector<uint8_t>& head, int rank) {
    return idx_file_size(head.data(), head.size(), rank, "f.idx");
  };
  // 0 until the header is whole: the magic and rank first, then each dimension.
  const auto images = bytes({0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28, 7, 7});
  for (size_t n = 0; n < 16; ++n) {
    INFO(n << " bytes");
    CHECK(size(std::vector<uint8_t>(images.begin(), images.begin() + std::ptrdiff_t(n)), 3) == 0);
  }
  CHECK(size(std::vector<uint8_t>(images.begin(), images.begin() + 16), 3) == 16 + 60000u * 784);
  CHECK(size(images, 3) == 16 + 60000u * 784);  // bytes past the header change nothing
  CHECK(size(bytes({0, 0, 8, 1, 0, 0, 1, 2}), 1) == 8 + 258u);

  // A bad header is refused as soon as its bytes are in, for the reason parse_idx_header gives.
  CHECK_THROWS_WITH(size(bytes({1, 0, 8, 3}), 3), Contains("f.idx: not an IDX file (bad magic 1,0)"));
  CHECK_THROWS_WITH(size(bytes({0, 0, 0x0D, 3}), 3), Contains("unsupported IDX data type 0xd"));
  CHECK_THROWS_WITH(size(bytes({0, 0, 8, 1}), 3), Contains("has 1 dimensions, expected 3 (an image file)"));
  CHECK_THROWS_WITH(size(bytes({0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3}), 3),
                    Contains("dimension 1 is zero"));
  // 2^30 data bytes and a 16-byte header: just over the most a file may have.
  CHECK_THROWS_WITH(size(bytes({0, 0, 8, 3, 0, 0, 0x40, 0, 0, 0, 0x40, 0, 0, 0, 0, 4}), 3),
                    Contains("f.idx: declares 1073741840 bytes, more than the 1073741824"));
  CHECK(size(bytes({0, 0, 8, 1, 0x3F, 0xFF, 0xFF, 0xF8}), 1) == kMaxIdxBytes);
}

TEST_CASE("idx: a data set needs 28x28 images, matching counts and labels 0..9", "[idx][dataset]") {
  const Dataset src = ramp_dataset(3);
  const IdxPair ok = to_idx(src);
  const Dataset ds =
      dataset_from_idx(ok.images.data(), ok.images.size(), ok.labels.data(), ok.labels.size(), "t");
  CHECK(ds.count == 3);
  CHECK(ds.images == src.images);
  CHECK(ds.labels == bytes({0, 1, 2}));
  CHECK(ds.image(2)[5] == uint8_t((2 * 7 + 5) % 256));

  auto load = [](const std::vector<uint8_t>& im, const std::vector<uint8_t>& lb) {
    return dataset_from_idx(im.data(), im.size(), lb.data(), lb.size(), "train");
  };
  CHECK_THROWS_WITH(load(ok.images, label_idx(bytes({0, 1}))), Contains("train: 3 images but 2 labels"));
  CHECK_THROWS_WITH(load(ok.images, label_idx(bytes({0, 10, 2}))),
                    Contains("label 10 at index 1 is out of range 0..9"));
  const std::vector<uint8_t> small(3 * 27 * 28, 0);
  CHECK_THROWS_WITH(load(image_idx(3, 27, 28, small), ok.labels), Contains("are 27x28, expected 28x28"));
  CHECK_THROWS_WITH(load(ok.labels, ok.labels), Contains("train images") && Contains("expected 3"));
  CHECK_THROWS_WITH(load(ok.images, ok.images), Contains("train labels") && Contains("expected 1"));
}

TEST_CASE("idx: a data set made from the files' own vectors is the same, with no copy", "[idx][dataset]") {
  const Dataset src = ramp_dataset(5);
  IdxPair f = to_idx(src);
  const Dataset copied =
      dataset_from_idx(f.images.data(), f.images.size(), f.labels.data(), f.labels.size(), "t");
  const uint8_t* storage = f.images.data();
  const Dataset moved = dataset_from_idx(std::move(f.images), std::move(f.labels), "t");
  CHECK(moved.count == 5);
  CHECK(moved.images == copied.images);
  CHECK(moved.labels == copied.labels);
  CHECK(moved.images.data() == storage);  // the file's own buffer, its header dropped in place

  // The same checks, with the same reasons.
  IdxPair bad = to_idx(src);
  bad.labels.back() = 10;
  CHECK_THROWS_WITH(dataset_from_idx(std::move(bad.images), std::move(bad.labels), "train"),
                    Contains("train labels: label 10 at index 4 is out of range 0..9"));
}

TEST_CASE("idx: limit keeps the first n samples", "[dataset]") {
  Dataset ds = ramp_dataset(10);
  const Dataset all = ds;
  ds.limit(0);
  CHECK(ds.count == 10);
  ds.limit(25);
  CHECK(ds.count == 10);
  ds.limit(4);
  CHECK(ds.count == 4);
  CHECK(ds.images.size() == 4u * kImagePixels);
  CHECK(ds.labels == bytes({0, 1, 2, 3}));
  CHECK(std::equal(ds.images.begin(), ds.images.end(), all.images.begin()));
}

TEST_CASE("idx: read_file and write_file_atomic", "[idx]") {
  const std::string path = scratch_path("write.bin");
  const auto data = bytes({0, 1, 2, 250, 255});
  write_file_atomic(path, data);
  CHECK(read_file(path) == data);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  // Overwrites in place.
  write_file_atomic(path, bytes({9}));
  CHECK(read_file(path) == bytes({9}));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK_THROWS_WITH(read_file(path + ".missing"), Contains(path + ".missing: cannot open"));
  CHECK_THROWS_WITH(read_file(path, 0), Contains("larger than 0 bytes"));
  CHECK_THROWS_WITH(write_file_atomic(path + ".d/no/such/dir/x", data), Contains("cannot write"));
  std::filesystem::remove(path);
}

namespace {
// The names in a folder.
std::vector<std::string> names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("idx: the temporary file has a name of its own and never outlives the write", "[idx]") {
  const std::string dir = scratch_path("atomic_dir");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/w.mlw";
  write_file_atomic(dir + "/w.mlw.tmp", bytes({7}));  // someone's own file of that name
  std::string seen;
  write_file_atomic(path, bytes({1, 2, 3}), [&](const std::string& temp) {
    seen = temp;
    CHECK(read_file(temp) == bytes({1, 2, 3}));
  });
  CHECK(seen.rfind(path + ".tmp-", 0) == 0);
  CHECK(seen.size() == path.size() + 11);
  CHECK(names(dir) == std::vector<std::string>{"w.mlw", "w.mlw.tmp"});
  CHECK(read_file(dir + "/w.mlw.tmp") == bytes({7}));
  CHECK(read_file(path) == bytes({1, 2, 3}));
  // A failure after the temporary file is written removes it and keeps the old file.
  CHECK_THROWS_WITH(write_file_atomic(path, bytes({4}), [](const std::string&) { fail("stopped"); }),
                    "stopped");
  CHECK(names(dir) == std::vector<std::string>{"w.mlw", "w.mlw.tmp"});
  CHECK(read_file(path) == bytes({1, 2, 3}));
  // What replaces the file meanwhile (a symlink here) is not written over either.
  CHECK_THROWS_WITH(write_file_atomic(path, bytes({5}),
                                      [&](const std::string&) {
                                        std::filesystem::remove(path);
                                        std::filesystem::create_symlink("w.mlw.tmp", path);
                                      }),
                    Contains("w.mlw: is a symbolic link"));
  CHECK(std::filesystem::is_symlink(path));
  CHECK(read_file(dir + "/w.mlw.tmp") == bytes({7}));
  CHECK(names(dir) == std::vector<std::string>{"w.mlw", "w.mlw.tmp"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("idx: only regular files are read or written", "[idx]") {
  const std::string dir = scratch_path("kinds_dir");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/folder");
  std::filesystem::create_symlink("/dev/zero", dir + "/zero");
  CHECK_THROWS_WITH(read_file(dir + "/folder"), Contains("folder: is a folder, not a file"));
  CHECK_THROWS_WITH(read_file(dir + "/zero"), Contains("zero: is a device, not a file"));
  CHECK_THROWS_WITH(read_idx_file(dir + "/zero", 3), Contains("zero: is a device, not a file"));
  CHECK_THROWS_WITH(check_save_target(dir + "/zero"), Contains("zero: is a symbolic link"));
  CHECK_THROWS_WITH(check_save_target(dir + "/folder"), Contains("folder: is a folder;"));
  CHECK_THROWS_WITH(check_save_target(dir + "/new/"), Contains("new/: is a folder name"));
  CHECK_THROWS_WITH(check_save_target(""), Contains("no file name"));
  CHECK_NOTHROW(check_save_target(dir + "/new"));
  CHECK(names(dir) == std::vector<std::string>{"folder", "zero"});  // the probe is gone
  // A header that disagrees with the file's size is refused from the header.
  write_file_atomic(dir + "/short", make_idx({3, 28, 28}, std::vector<uint8_t>(100)));
  CHECK_THROWS_WITH(read_idx_file(dir + "/short", 3),
                    Contains("truncated: header declares 2352 bytes of data, file has 100"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("idx: load_mnist reads the pair of files of a split", "[idx][dataset]") {
  const std::string dir = scratch_path("mnist_dir");
  std::filesystem::create_directories(dir);
  const IdxPair files = to_idx(ramp_dataset(5));
  write_file_atomic(dir + "/t10k-images-idx3-ubyte", files.images);
  write_file_atomic(dir + "/t10k-labels-idx1-ubyte", files.labels);
  const Dataset ds = load_mnist(dir, "test");
  CHECK(ds.count == 5);
  CHECK(ds.images == ramp_dataset(5).images);
  CHECK_THROWS_WITH(load_mnist(dir, "train"), Contains("train-images-idx3-ubyte: cannot open"));
  CHECK_THROWS_WITH(load_mnist(dir, "validation"), Contains("unknown split 'validation'"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("idx: images to floats, augmentation without motion, whole-pixel shifts", "[dataset]") {
  const Dataset ds = ramp_dataset(2);
  const uint32_t idx[] = {1, 0};
  std::vector<float> plain(2 * kImagePixels);
  to_float(ds, idx, 2, plain.data());
  // Sample 1 comes first; pixel i of image s is (7 s + i) mod 256, over 255.
  CHECK(plain[0] == Approx(7 / 255.0f));
  CHECK(plain[248] == Approx(255 / 255.0f));
  CHECK(plain[kImagePixels + 3] == Approx(3 / 255.0f));

  // No rotation and no shift: augment_image is the plain conversion, bit for bit.
  Rng rng(1);
  std::vector<float> aug(kImagePixels);
  augment_image(ds.image(1), aug.data(), rng, 0.0f, 0.0f);
  CHECK(std::equal(aug.begin(), aug.end(), plain.begin()));

  // With motion allowed, the image changes but stays in [0, 1].
  augment_image(ds.image(1), aug.data(), rng, 10.0f, 2.0f);
  CHECK_FALSE(std::equal(aug.begin(), aug.end(), plain.begin()));
  for (float v : aug) REQUIRE((v >= 0.0f && v <= 1.0f));

  // shift_image(dx=1, dy=2): pixel (x, y) moves to (x + 1, y + 2), zeros come in.
  std::vector<float> one(kImagePixels, 0.0f), moved(kImagePixels, -1.0f);
  one[5 * 28 + 3] = 0.75f;  // (x=3, y=5)
  shift_image(one.data(), moved.data(), 1, 2);
  for (int i = 0; i < kImagePixels; ++i) {
    INFO("pixel " << i);
    CHECK(moved[size_t(i)] == (i == 7 * 28 + 4 ? 0.75f : 0.0f));
  }
  // A pixel shifted off the edge is gone.
  one.assign(kImagePixels, 0.0f);
  one[27] = 1.0f;  // (x=27, y=0)
  shift_image(one.data(), moved.data(), 1, 0);
  for (float v : moved) REQUIRE(v == 0.0f);
}
