#include "e2e/test_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "base/unique_fd.h"

namespace mimeo::e2e {

void PrintTo(const FileState& state, std::ostream* os) {
  if (!state.exists) {
    *os << "(missing)";
    return;
  }
  *os << "{size " << state.size << ", mode 0" << std::oct << (state.mode & 07777) << std::dec
      << ", mtime_ns " << state.mtime_ns << ", inode " << state.inode << "}";
}

FileState file_state(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return {};
  }
  return {true, static_cast<uint64_t>(st.st_size), st.st_mode,
          int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec, st.st_ino};
}

std::map<std::string, FileState> directory_state(const std::string& dir) {
  std::map<std::string, FileState> states;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    states[entry.path().filename().string()] = file_state(entry.path().string());
  }
  return states;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

uint64_t file_hash(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return 0;
  }
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  std::vector<char> buffer(1 << 20);
  ssize_t n;
  while ((n = ::read(fd.get(), buffer.data(), buffer.size())) > 0) {
    XXH3_64bits_update(state, buffer.data(), static_cast<size_t>(n));
  }
  uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return hash;
}

uint64_t read_qword(const std::string& path, uint64_t offset) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  uint64_t value = 0;
  if (!fd.valid() ||
      ::pread(fd.get(), &value, sizeof value, static_cast<off_t>(offset)) != sizeof value) {
    ADD_FAILURE() << "cannot read 8 bytes at " << offset << " of " << path;
  }
  return value;  // x86-64 and the host are both little-endian
}

void write_qword(const std::string& path, uint64_t offset, uint64_t value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid() ||
      ::pwrite(fd.get(), &value, sizeof value, static_cast<off_t>(offset)) != sizeof value) {
    ADD_FAILURE() << "cannot write 8 bytes at " << offset << " of " << path;
  }
}

bool wait_for_text(const std::string& path, const std::string& text,
                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(path).find(text) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace mimeo::e2e
