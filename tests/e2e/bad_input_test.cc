// Mistakes a user can make on the command line: each one gives exactly one
// line on stderr naming the option, path or value, a non-zero status, and
// leaves every file as it was (nothing created, truncated or grown).
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e/mimeo_process.h"
#include "e2e/test_files.h"

namespace mimeo::e2e {
namespace {

struct BadInput {
  std::string name;
  // "DIR" stands for the test's directory, in the arguments and in the message.
  std::vector<std::string> args;
  std::string message;  // stderr, without "mimeo run: " and the newline
};
// The name alone, so test listings stay readable.
void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

std::string in_dir(std::string text, const std::string& dir) {
  for (size_t at; (at = text.find("DIR")) != std::string::npos;) {
    text.replace(at, 3, dir);
  }
  return text;
}

const std::string kDebugExit = "isa-debug-exit,iobase=0xf4,iosize=1";
// The template command line on a file that does not exist yet (it would be created)...
const std::vector<std::string> kNewTemplate = {
    "-object", "memory-backend-file,id=pc.ram,mem-path=DIR/template,size=64M,share=on", "-machine",
    "microvm,memory-backend=pc.ram"};
// ...and on an empty file (it would be grown to 64 MiB), with the console in a file
// that holds an earlier log (it would be truncated).
const std::vector<std::string> kEmptyTemplate = {
    "-object",  "memory-backend-file,id=pc.ram,mem-path=DIR/empty,size=64M,share=on",
    "-machine", "microvm,memory-backend=pc.ram",
    "-serial",  "file:DIR/console.log"};

std::vector<std::string> clone_of(const std::string& path) {
  return {"-object",
          "memory-backend-file,id=pc.ram,mem-path=" + path + ",size=64M,readonly=on,rom=off",
          "-machine", "microvm,memory-backend=pc.ram"};
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {
 protected:
  void SetUp() override {
    write_text(dir_.file("console.log"), "an earlier log\n");
    write_text(dir_.file("empty"), "");
    write_text(dir_.file("short"), std::string(1 << 20, 'x'));
    write_text(dir_.file("notes.txt"), "this is not a kernel\n");
  }
  TempDir dir_;
};

TEST_P(BadInputTest, OneLineNamingTheMistakeAndNoFileTouched) {
  const auto before = directory_state(dir_.path());
  std::vector<std::string> args;
  for (const auto& arg : GetParam().args) {
    args.push_back(in_dir(arg, dir_.path()));
  }
  auto vm = MimeoProcess::run(args);
  ASSERT_TRUE(vm);
  auto status = vm->wait_exit(milliseconds(5000));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1);
  const std::string& err = vm->stderr_text();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(err, "mimeo run: " + in_dir(GetParam().message, dir_.path()) + "\n");
  EXPECT_EQ(vm->console().text(), "");
  EXPECT_EQ(directory_state(dir_.path()), before);
}

INSTANTIATE_TEST_SUITE_P(
    CommandLines, BadInputTest,
    ::testing::Values(
        BadInput{"NonexistentKernel",
                 std::vector<std::string>{"-kernel", "DIR/vmlinuz", "-device", kDebugExit,
                                          "-serial", "file:DIR/console.log"} +
                     kNewTemplate,
                 "-kernel: open DIR/vmlinuz: No such file or directory"},
        BadInput{"PasswdAsKernel",
                 std::vector<std::string>{"-kernel", "/etc/passwd"} + kEmptyTemplate,
                 "-kernel /etc/passwd: not a PVH ELF kernel (no XEN_ELFNOTE_PHYS32_ENTRY note) "
                 "nor a bzImage with a 64-bit entry point"},
        BadInput{"TextFileAsKernel",
                 std::vector<std::string>{"-kernel", "DIR/notes.txt"} + kNewTemplate,
                 "-kernel DIR/notes.txt: not a PVH ELF kernel (no XEN_ELFNOTE_PHYS32_ENTRY "
                 "note) nor a bzImage with a 64-bit entry point"},
        BadInput{"DirectoryAsKernel", std::vector<std::string>{"-kernel", "DIR"} + kEmptyTemplate,
                 "-kernel: DIR is not a regular file"},
        BadInput{"EmptyFileAsKernel",
                 std::vector<std::string>{"-kernel", "DIR/empty"} + kNewTemplate,
                 "-kernel DIR/empty: not a PVH ELF kernel (no XEN_ELFNOTE_PHYS32_ENTRY note) "
                 "nor a bzImage with a 64-bit entry point"},
        BadInput{
            "MissingInitrd",
            guest_args() + std::vector<std::string>{"-initrd", "DIR/initrd.img"} + kEmptyTemplate,
            "-initrd: open DIR/initrd.img: No such file or directory"},
        BadInput{"MissingTemplateWithReadonly", guest_args() + clone_of("DIR/template"),
                 "pc.ram: can't open backing store DIR/template for guest RAM: No such file or "
                 "directory"},
        BadInput{"TemplateShorterThanSizeWithReadonly", guest_args() + clone_of("DIR/short"),
                 "pc.ram: backing store DIR/short size 0x100000 is too small for 'size' option "
                 "0x4000000 plus 'offset' option 0x0"},
        BadInput{"DirectoryAsTemplateWithReadonly", guest_args() + clone_of("DIR"),
                 "pc.ram: can't open backing store DIR for guest RAM: Is a directory"},
        BadInput{"BadBackendSize",
                 guest_args() +
                     std::vector<std::string>{
                         "-object",
                         "memory-backend-file,id=pc.ram,mem-path=DIR/template,size=64X,share=on",
                         "-machine", "microvm,memory-backend=pc.ram"},
                 "-object memory-backend-file,id=pc.ram,mem-path=DIR/template,size=64X,share=on: "
                 "Parameter 'size' expects size"},
        BadInput{"BadDashMSize", guest_args() + std::vector<std::string>{"-m", "64Q"},
                 "-m 64Q: Parameter 'size' expects a non-negative number below 2^64 with an "
                 "optional suffix k, M, G, T, P or E"},
        BadInput{"SizeNotMatchingDashM",
                 guest_args() + std::vector<std::string>{"-m", "128M"} + kNewTemplate,
                 "-m 128M: machine memory size (0x8000000) does not match the total size of its "
                 "memory backends (0x4000000)"},
        BadInput{"UnknownOption", guest_args() + kEmptyTemplate + std::vector<std::string>{"-hda"},
                 "unknown option '-hda'"},
        BadInput{"NoKernel", kEmptyTemplate,
                 "no -kernel given: mimeo boots a PVH ELF kernel or a bzImage directly"}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mimeo::e2e
