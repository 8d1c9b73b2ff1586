// check_boot_files: -kernel and -initrd checked before anything is created.
#include "cli/boot_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mimeo::cli {
namespace {

std::string boot_files_error(const std::string& kernel, const std::string& initrd = "") {
  vmm::MachineConfig config;
  config.kernel_path = kernel;
  config.initrd_path = initrd;
  auto checked = check_boot_files(config);
  return checked.ok() ? "(no error)" : checked.error().describe();
}

class BootFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/mimeo-boot-files-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    dir_ = name;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_file(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }

  std::string dir_;
};

TEST_F(BootFiles, TheTestGuestImagesPass) {
  EXPECT_EQ(boot_files_error(MIMEO_GUEST_ELF), "(no error)");
  EXPECT_EQ(boot_files_error(MIMEO_GUEST_BZIMAGE), "(no error)");
  EXPECT_EQ(boot_files_error(MIMEO_GUEST_ELF, write_file("initrd", "x")), "(no error)");
}

TEST_F(BootFiles, MissingKernel) {
  EXPECT_EQ(boot_files_error(dir_ + "/vmlinux"),
            "-kernel: open " + dir_ + "/vmlinux: No such file or directory");
}

TEST_F(BootFiles, DirectoryAsKernel) {
  EXPECT_EQ(boot_files_error(dir_), "-kernel: " + dir_ + " is not a regular file");
}

TEST_F(BootFiles, FileThatIsNotAKernel) {
  const std::string text = write_file("notes.txt", "hello\n");
  EXPECT_EQ(boot_files_error(text),
            "-kernel " + text +
                ": not a PVH ELF kernel (no XEN_ELFNOTE_PHYS32_ENTRY note) nor a bzImage with a "
                "64-bit entry point");
  const std::string empty = write_file("empty", "");
  EXPECT_NE(boot_files_error(empty).find("-kernel " + empty + ": "), std::string::npos)
      << boot_files_error(empty);
}

TEST_F(BootFiles, MissingOrDirectoryInitrd) {
  EXPECT_EQ(boot_files_error(MIMEO_GUEST_ELF, dir_ + "/initrd"),
            "-initrd: open " + dir_ + "/initrd: No such file or directory");
  EXPECT_EQ(boot_files_error(MIMEO_GUEST_ELF, dir_), "-initrd: " + dir_ + " is not a regular file");
}

}  // namespace
}  // namespace mimeo::cli
