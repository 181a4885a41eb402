// Session::model_info(): each layer's attributes as JSON, the fields the page
// reads instead of parsing spec tokens.
#include <catch2/catch.hpp>

#include "nn/session.h"

using namespace mnist;

TEST_CASE("model_info: every layer with its attributes", "[session][registry]") {
  Session s;
  const std::string info =
      s.create_model("conv(2,3,same)-relu-avgpool(2)-pool(2)-gap-dropout(0.3)-dense(10)", 1);
  CHECK(info == s.model_info());
  // conv 2*9+2 = 20 -> 2x28x28, avgpool -> 2x14x14, pool -> 2x7x7, gap -> 2x1x1, dense 2*10+10 = 30.
  CHECK(
      info ==
      R"j({"spec":"conv(2,3,same)-relu-avgpool(2)-pool(2)-gap-dropout(0.3)-dense(10)","params":50,)j"
      R"j("spatial":true,"layers":[)j"
      R"j({"token":"conv(2,3,same)","kind":"conv","shape":[2,28,28],"flat":false,"window":3,"params":20,)j"
      R"j("offset":0,"state":0,"spatial":true,"filters":2,"kernel":3,"stride":1,"padding":"same"},)j"
      R"j({"token":"relu","kind":"relu","shape":[2,28,28],"flat":false,"window":0,"params":0,"offset":20,)j"
      R"j("state":0,"spatial":false,"activation":true},)j"
      R"j({"token":"avgpool(2)","kind":"avgpool","shape":[2,14,14],"flat":false,"window":2,"params":0,)j"
      R"j("offset":20,"state":0,"spatial":true,"stride":2,"pooling":"average"},)j"
      R"j({"token":"pool(2)","kind":"pool","shape":[2,7,7],"flat":false,"window":2,"params":0,"offset":20,)j"
      R"j("state":0,"spatial":true,"stride":2,"pooling":"max"},)j"
      R"j({"token":"gap","kind":"gap","shape":[2,1,1],"flat":false,"window":7,"params":0,"offset":20,)j"
      R"j("state":0,"spatial":true,"stride":7,"pooling":"average"},)j"
      R"j({"token":"dropout(0.3)","kind":"dropout","shape":[2,1,1],"flat":false,"window":0,"params":0,)j"
      R"j("offset":20,"state":0,"spatial":false,"rate":0.3},)j"
      R"j({"token":"dense(10)","kind":"dense","shape":[10,1,1],"flat":true,"window":0,"params":30,)j"
      R"j("offset":20,"state":0,"spatial":false,"units":10}]})j");
  // A net without a windowed layer is not spatial.
  CHECK(s.create_model("dense(16)-relu-dense(10)", 1).find("\"params\":12730,\"spatial\":false") !=
        std::string::npos);
}
