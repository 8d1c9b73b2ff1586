// memory-backend-file on real files: what reaches the file, what never does.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "memory/backend.h"
#include "memory/page_size.h"
#include "unit/memory/test_util.h"

namespace mimeo::memory {
namespace {

using testing::backend_error;
using testing::create_backend;
using testing::file_size;
using testing::pattern;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

constexpr uint64_t kSize = 2 * kMiB;

std::string file_options(const std::string& path, const std::string& extra = {}) {
  return "memory-backend-file,id=mem0,size=2M,mem-path=" + path + (extra.empty() ? "" : ",") +
         extra;
}

int access_mode(int fd) { return ::fcntl(fd, F_GETFL) & O_ACCMODE; }

TEST(FileBackend, SharedWritesReachTheFile) {
  TempDir dir;
  std::string path = dir.file("template");
  {
    Backend b = create_backend(file_options(path, "share=on"));
    EXPECT_EQ(access_mode(b.fd()), O_RDWR);
    std::memcpy(b.host() + 4096, "guest was here", 14);
  }
  std::string data = read_file(path);
  ASSERT_EQ(data.size(), kSize);
  EXPECT_EQ(data.substr(4096, 14), "guest was here");
}

TEST(FileBackend, NewFileIsCreatedWithTheBackendSize) {
  TempDir dir;
  std::string path = dir.file("new");
  Backend b = create_backend(file_options(path, "share=on"));
  EXPECT_EQ(file_size(path), kSize);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644U);
}

TEST(FileBackend, PrivateWritesLeaveTheFileUntouched) {
  TempDir dir;
  std::string path = dir.file("ram");
  std::string original = pattern(kSize, 'a');
  write_file(path, original);
  Backend b = create_backend(file_options(path));  // share=off by default
  EXPECT_EQ(std::memcmp(b.host(), original.data(), kSize), 0);
  std::memset(b.host(), 0x5a, kSize);
  EXPECT_EQ(read_file(path), original);
}

TEST(FileBackend, ExistingLargerFileIsNeverTruncated) {
  TempDir dir;
  std::string path = dir.file("big");
  std::string original = pattern(3 * kSize, 'b');
  write_file(path, original);
  { Backend b = create_backend(file_options(path, "share=on")); }
  EXPECT_EQ(file_size(path), 3 * kSize);
  EXPECT_EQ(read_file(path), original);
}

TEST(FileBackend, EmptyFileIsGrownToOffsetPlusSize) {
  TempDir dir;
  std::string path = dir.file("empty");
  write_file(path, "");
  Backend b = create_backend(file_options(path, "share=on,offset=1M"));
  EXPECT_EQ(file_size(path), kSize + kMiB);
}

TEST(FileBackend, ShorterNonEmptyFileIsRefusedNamingPathAndSizes) {
  TempDir dir;
  std::string path = dir.file("short");
  write_file(path, std::string(kMiB, 'x'));
  EXPECT_EQ(backend_error(file_options(path, "share=on")),
            "mem0: backing store " + path +
                " size 0x100000 is too small for 'size' option 0x200000 plus 'offset' option 0x0");
  EXPECT_EQ(file_size(path), kMiB);
}

TEST(FileBackend, OffsetSelectsWhereInTheFileTheMemoryStarts) {
  TempDir dir;
  std::string path = dir.file("offset");
  std::string original = pattern(4 * kMiB, 'c');
  write_file(path, original);
  Backend b = create_backend(file_options(path, "offset=1M"));
  EXPECT_EQ(std::memcmp(b.host(), original.data() + kMiB, kSize), 0);
  EXPECT_EQ(b.options().offset(), kMiB);
}

TEST(FileBackend, ReadonlyOpensTheFileReadOnly) {
  TempDir dir;
  std::string path = dir.file("ro");
  write_file(path, pattern(kSize, 'd'));
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  // Root could open a 0444 file for writing anyway: the descriptor's mode is the proof.
  Backend b = create_backend(file_options(path, "readonly=on,rom=off"));
  EXPECT_EQ(access_mode(b.fd()), O_RDONLY);
  std::ifstream fdinfo("/proc/self/fdinfo/" + std::to_string(b.fd()));
  std::string line;
  std::getline(fdinfo, line);  // pos:
  std::getline(fdinfo, line);  // flags: octal
  ASSERT_EQ(line.rfind("flags:", 0), 0U) << line;
  EXPECT_EQ(std::stoul(line.substr(6), nullptr, 8) & O_ACCMODE, unsigned{O_RDONLY});
}

TEST(FileBackend, ReadonlyNeverCreatesAMissingFile) {
  TempDir dir;
  std::string path = dir.file("missing");
  EXPECT_EQ(backend_error(file_options(path, "readonly=on,rom=off")),
            "mem0: can't open backing store " + path + " for guest RAM: No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(FileBackend, ReadonlyNeverGrowsAShortOrEmptyFile) {
  TempDir dir;
  std::string path = dir.file("short");
  write_file(path, std::string(kMiB, 'x'));
  EXPECT_EQ(backend_error(file_options(path, "readonly=on,rom=off")),
            "mem0: backing store " + path +
                " size 0x100000 is too small for 'size' option 0x200000 plus 'offset' option 0x0");
  EXPECT_EQ(file_size(path), kMiB);
  write_file(path, "");
  EXPECT_EQ(backend_error(file_options(path, "readonly=on")),
            "mem0: backing store " + path +
                " size 0x0 is too small for 'size' option 0x200000 plus 'offset' option 0x0");
  EXPECT_EQ(file_size(path), 0U);
}

TEST(FileBackend, TemplateCloneWritesStayPrivateAndTheFileNeverChanges) {
  TempDir dir;
  std::string path = dir.file("template");
  std::string original = pattern(kSize, 'e');
  write_file(path, original);
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);

  std::string clone = file_options(path, "readonly=on,rom=off,share=off");
  Backend a = create_backend(clone);
  Backend b = create_backend(clone);
  EXPECT_EQ(testing::maps_perms(a.host()), "rw-p");
  std::memset(a.host(), 0x11, kSize / 2);
  std::memcpy(b.host() + kSize - 3, "b!", 2);
  // Each clone sees its own writes only, on top of the template's contents.
  EXPECT_EQ(a.host()[0], 0x11);
  EXPECT_EQ(std::memcmp(b.host(), original.data(), kSize - 3), 0);
  EXPECT_EQ(std::memcmp(a.host() + kSize / 2, original.data() + kSize / 2, kSize / 2 - 3), 0);
  EXPECT_EQ(b.host()[kSize - 3], 'b');

  EXPECT_EQ(read_file(path), original);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_size, before.st_size);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

TEST(FileBackend, ReadonlyRomIsMappedReadOnly) {
  TempDir dir;
  std::string path = dir.file("rom");
  write_file(path, pattern(kSize, 'f'));
  Backend priv = create_backend(file_options(path, "readonly=on"));
  EXPECT_TRUE(priv.guest_readonly());
  EXPECT_EQ(testing::maps_perms(priv.host()), "r--p");
  Backend shared = create_backend(file_options(path, "readonly=on,share=on"));
  EXPECT_EQ(testing::maps_perms(shared.host()), "r--s");
}

TEST(FileBackend, DirectoryMemPathCreatesNoVisibleFile) {
  TempDir dir;
  Backend b = create_backend(file_options(dir.path(), "share=on"));
  std::memcpy(b.host(), "x", 1);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  struct stat st {};
  ASSERT_EQ(::fstat(b.fd(), &st), 0);
  EXPECT_EQ(st.st_nlink, 0U);  // unlinked at once
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kSize);
}

TEST(FileBackend, ReadonlyDirectoryIsRefused) {
  TempDir dir;
  EXPECT_EQ(backend_error(file_options(dir.path(), "readonly=on,rom=off")),
            "mem0: can't open backing store " + dir.path() + " for guest RAM: Is a directory");
}

TEST(FileBackend, CreatedFileIsRemovedWhenTheBackendFails) {
  TempDir dir;
  std::string path = dir.file("too-big");
  // ext4 and tmpfs refuse a 1 EiB file: ftruncate fails after the file was created.
  std::string error = backend_error("memory-backend-file,id=mem0,size=1E,mem-path=" + path);
  EXPECT_EQ(
      error.rfind("mem0: can't grow backing store " + path + " to 0x1000000000000000 bytes: ", 0),
      0U)
      << error;
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(FileBackend, AlignGivesAnAlignedHostAddressAndAGuardPage) {
  TempDir dir;
  Backend b = create_backend(file_options(dir.file("aligned"), "align=1G"));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.host()) % kGiB, 0U);
  EXPECT_EQ(testing::maps_perms(b.host()), "rw-p");
  EXPECT_EQ(testing::maps_perms(b.host() + kSize), "---p");  // QEMU's guard page
}

TEST(FileBackend, DiscardDataPunchesTheSharedFileOnDestruction) {
  TempDir dir;
  std::string path = dir.file("discard");
  {
    Backend b = create_backend(file_options(path, "share=on,discard-data=on"));
    std::memset(b.host(), 0x77, kSize);
    ::msync(b.host(), kSize, MS_SYNC);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_GT(st.st_blocks, 0);
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_blocks, 0);
  EXPECT_EQ(read_file(path), std::string(kSize, '\0'));
}

TEST(FileBackend, DiscardDataNeverTouchesATemplateFile) {
  TempDir dir;
  std::string path = dir.file("template");
  std::string original = pattern(kSize, 'g');
  write_file(path, original);
  {
    Backend b = create_backend(file_options(path, "readonly=on,rom=off,discard-data=on"));
    std::memset(b.host(), 0, kSize);
  }
  EXPECT_EQ(read_file(path), original);
}

TEST(FileBackend, PreallocOfATemplateCloneMakesPrivateCopiesAndKeepsTheFile) {
  TempDir dir;
  std::string path = dir.file("template");
  std::string original = pattern(kSize, 'h');
  write_file(path, original);
  uint64_t calls = 0;
  Backend b = create_backend(file_options(path, "readonly=on,rom=off,prealloc=on"),
                             [&](uint64_t, uint64_t) { ++calls; });
  EXPECT_EQ(calls, 1U);
  // Every page is now a private (anonymous) copy of the file's page.
  EXPECT_EQ(testing::smaps_bytes(b.host(), "Anonymous"), kSize);
  EXPECT_EQ(std::memcmp(b.host(), original.data(), kSize), 0);  // contents kept
  EXPECT_EQ(read_file(path), original);
}

TEST(FileBackend, WithoutPreallocNothingIsMappedYet) {
  TempDir dir;
  std::string path = dir.file("lazy");
  write_file(path, pattern(kSize, 'k'));
  Backend b = create_backend(file_options(path, "readonly=on,rom=off"));
  EXPECT_EQ(testing::smaps_bytes(b.host(), "Rss"), 0U);
}

TEST(FileBackend, PreallocOfRomPopulatesReadOnly) {
  TempDir dir;
  std::string path = dir.file("rom");
  write_file(path, pattern(kSize, 'i'));
  Backend b = create_backend(file_options(path, "readonly=on,prealloc=on"));
  EXPECT_EQ(testing::smaps_bytes(b.host(), "Rss"), kSize);  // all mapped now
  EXPECT_EQ(testing::smaps_bytes(b.host(), "Anonymous"), 0U);
}

// QEMU's hint when a private mapping's file only opens read-only. Tests run as root,
// who may open anything, so a child drops to nobody to meet EACCES.
TEST(FileBackend, PermissionDeniedSuggestsTheTemplateCloneOptions) {
  TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  std::string path = dir.file("template");
  write_file(path, pattern(kSize, 'j'));
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      ::_exit(2);
    }
    std::string error = backend_error(file_options(path));
    ssize_t n = ::write(pipe_fds[1], error.data(), error.size());
    ::_exit(n == static_cast<ssize_t>(error.size()) ? 0 : 3);
  }
  ::close(pipe_fds[1]);
  std::string error;
  char buf[1024];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) {
    error.append(buf, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(error, "mem0: can't open backing store " + path +
                       " for guest RAM (consider opening the backing store read-only but still "
                       "creating writable RAM using '-object "
                       "memory-backend-file,readonly=on,rom=off...', see \"VM templating\" "
                       "documentation): Permission denied");
}

TEST(FileBackend, MovedBackendKeepsItsMemory) {
  TempDir dir;
  std::string path = dir.file("moved");
  Backend a = create_backend(file_options(path, "share=on,discard-data=on"));
  uint8_t* host = a.host();
  std::memcpy(host, "kept", 4);
  Backend b = std::move(a);
  EXPECT_EQ(b.host(), host);
  EXPECT_EQ(std::memcmp(b.host(), "kept", 4), 0);
  EXPECT_EQ(read_file(path).substr(0, 4), "kept");  // the moved-from one discarded nothing
}

}  // namespace
}  // namespace mimeo::memory
