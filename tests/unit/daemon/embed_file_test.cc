// cmake/embed_file.cmake, which puts docs/api/openapi.yaml into the binary:
// any bytes at all come out as they went in (NUL, quotes, a raw string's end,
// bytes that are not UTF-8), and an empty file is an empty document.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "common/temp_dir.h"

namespace mimeo::daemon {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs the script on `content`; the generated source's bytes and size, decoded.
struct Embedded {
  std::string bytes;
  long size = -1;
};

Embedded embed(const std::string& content) {
  mimeo::testing::TempDir dir;
  std::ofstream(dir.file("in"), std::ios::binary) << content;
  std::string command = std::string(MIMEO_CMAKE_COMMAND) + " -DINPUT=" + dir.file("in") +
                        " -DOUTPUT=" + dir.file("out.cc") +
                        " -DHEADER=x.h -DFUNCTION=ns::document -P " + MIMEO_SOURCE_DIR +
                        "/cmake/embed_file.cmake";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::string source = read_file(dir.file("out.cc"));
  Embedded embedded;
  size_t begin = source.find("kBytes[] = {");
  size_t end = source.find("};", begin);
  if (begin == std::string::npos || end == std::string::npos) {
    ADD_FAILURE() << source;
    return embedded;
  }
  std::string array = source.substr(begin, end - begin);
  const std::regex number("0x([0-9a-f]{2}),");
  for (auto it = std::sregex_iterator(array.begin(), array.end(), number);
       it != std::sregex_iterator(); ++it) {
    embedded.bytes += static_cast<char>(std::stoi((*it)[1], nullptr, 16));
  }
  std::smatch size;
  if (std::regex_search(source, size, std::regex("kBytes\\), ([0-9]+)\\}"))) {
    embedded.size = std::stol(size[1]);
  }
  EXPECT_NE(source.find("std::string_view ns::document() {"), std::string::npos) << source;
  EXPECT_NE(source.find("#include \"x.h\""), std::string::npos);
  return embedded;
}

TEST(EmbedFileTest, EveryByteValueComesOutAsItWentIn) {
  std::string content;
  for (int i = 0; i < 256; ++i) {
    content += static_cast<char>(i);
  }
  content += ")\"\n)EOF\"\n*/ \"\\\" \xff\xfe\n";
  Embedded embedded = embed(content);
  EXPECT_EQ(embedded.size, static_cast<long>(content.size()));
  EXPECT_EQ(embedded.bytes, content);
}

TEST(EmbedFileTest, AnEmptyFileIsAnEmptyDocument) {
  Embedded embedded = embed("");
  EXPECT_EQ(embedded.size, 0);
  EXPECT_EQ(embedded.bytes, "");
}

}  // namespace
}  // namespace mimeo::daemon
