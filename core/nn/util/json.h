#pragma once
// A minimal JSON object writer: the wasm facade's small structured replies
// (Session, EvalResult::to_json). The CLI writes its --json lines with
// nlohmann/json. Bulk data never goes through it.
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "nn/util/text.h"

namespace mnist {

class JsonWriter {
 public:
  JsonWriter() {
    os_.precision(9);
    os_ << '{';
  }

  JsonWriter& field(const std::string& key, const std::string& v) { return key_(key).str_(v); }
  JsonWriter& field(const std::string& key, const char* v) { return key_(key).str_(v); }
  JsonWriter& field(const std::string& key, bool v) {
    key_(key);
    os_ << (v ? "true" : "false");
    return *this;
  }
  JsonWriter& field(const std::string& key, double v) {
    key_(key);
    num_(v);
    return *this;
  }
  JsonWriter& field(const std::string& key, float v) { return field(key, double(v)); }
  JsonWriter& field(const std::string& key, int v) {
    key_(key);
    os_ << v;
    return *this;
  }
  JsonWriter& field(const std::string& key, int64_t v) {
    key_(key);
    os_ << v;
    return *this;
  }
  JsonWriter& field(const std::string& key, uint64_t v) {
    key_(key);
    os_ << v;
    return *this;
  }
  JsonWriter& field(const std::string& key, uint32_t v) {
    key_(key);
    os_ << v;
    return *this;
  }
  template <typename T>
  JsonWriter& field(const std::string& key, const std::vector<T>& v) {
    key_(key);
    os_ << '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) os_ << ',';
      num_(double(v[i]));
    }
    os_ << ']';
    return *this;
  }
  // A float32 in the shortest form that reads back as exactly it: 0.3, not
  // 0.300000012 (a rate a person wrote).
  JsonWriter& shortest(const std::string& key, float v) {
    key_(key);
    if (std::isfinite(v))
      os_ << shortest_float(v);
    else
      os_ << "null";
    return *this;
  }
  // Splices an already-serialised JSON value (object or array).
  JsonWriter& raw(const std::string& key, const std::string& json) {
    key_(key);
    os_ << json;
    return *this;
  }

  std::string str() const { return os_.str() + '}'; }

  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += char(c);
          }
      }
    }
    return out + '"';
  }

 private:
  JsonWriter& key_(const std::string& k) {
    if (!first_) os_ << ',';
    first_ = false;
    os_ << quote(k) << ':';
    return *this;
  }
  JsonWriter& str_(const std::string& v) {
    os_ << quote(v);
    return *this;
  }
  void num_(double v) {
    if (std::isfinite(v))
      os_ << v;
    else
      os_ << "null";
  }
  std::ostringstream os_;
  bool first_ = true;
};

}  // namespace mnist
