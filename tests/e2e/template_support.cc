#include "e2e/template_support.h"

#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <sstream>

namespace mimeo::e2e {

namespace {

// Copies a file leaving zero MiBs as holes: a template's RAM file is mostly holes.
void copy_sparse(const std::string& from, const std::string& to) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  ASSERT_TRUE(in.valid() && out.valid()) << "copy " << from << " to " << to;
  std::vector<char> buffer(1 << 20);
  const std::vector<char> zeros(buffer.size());
  off_t offset = 0;
  for (ssize_t n; (n = ::read(in.get(), buffer.data(), buffer.size())) > 0; offset += n) {
    if (std::memcmp(buffer.data(), zeros.data(), static_cast<size_t>(n)) != 0) {
      ASSERT_EQ(::pwrite(out.get(), buffer.data(), static_cast<size_t>(n), offset), n);
    }
  }
  ASSERT_EQ(::ftruncate(out.get(), offset), 0);
}

}  // namespace

CommandResult run_mimeo(const std::vector<std::string>& args, milliseconds timeout) {
  auto command = MimeoProcess::start(args);
  if (!command) {
    return {};
  }
  command->console().close_output();
  CommandResult result;
  result.status = command->wait_exit(timeout);
  result.out = command->console().text();
  result.err = command->stderr_text();
  return result;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> guest_template_options(const std::string& kernel) {
  return std::vector<std::string>{"-m", "64M"} + guest_args(kernel);
}

void create_template(const std::string& dir, const std::vector<std::string>& options) {
  auto result = run_mimeo(std::vector<std::string>{"template", "create", dir, "--ready-on-serial",
                                                   kReadyText, "--quiet", "--timeout", "20", "--"} +
                              options,
                          milliseconds(25'000));
  ASSERT_EQ(result.status, 0) << result.err;
  ASSERT_TRUE(result.err.empty()) << result.err;
  ASSERT_EQ(lines_of(result.out).size(), 1U) << result.out;
  ASSERT_TRUE(result.out.starts_with("mimeo template create: " + dir + " is ready ("))
      << result.out;
}

void PrintTo(const FileSnapshot& snapshot, std::ostream* os) {
  PrintTo(snapshot.state, os);
  *os << " xxh3 " << std::hex << snapshot.hash << std::dec;
}

std::map<std::string, FileSnapshot> snapshot_directory(const std::string& dir) {
  std::map<std::string, FileSnapshot> files;
  files["."] = {file_state(dir), 0};
  for (const auto& [name, state] : directory_state(dir)) {
    files[name] = {state, file_hash(dir + "/" + name)};
  }
  return files;
}

void copy_template(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  fs::create_directory(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    const fs::path target = fs::path(to) / entry.path().filename();
    copy_sparse(entry.path().string(), target.string());
    fs::permissions(target, fs::perms::owner_write, fs::perm_options::add);
  }
}

std::vector<std::string> temp_dirs_beside(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const std::string prefix = p.filename().string() + ".tmp-";
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(p.parent_path())) {
    if (entry.path().filename().string().starts_with(prefix)) {
      found.push_back(entry.path().filename().string());
    }
  }
  return found;
}

std::optional<GuestIdentity> parse_identity(const std::string& answer) {
  std::istringstream in(answer);
  std::string word;
  if (!(in >> word) || word != "identity") {
    return std::nullopt;
  }
  std::map<std::string, std::string> fields;
  while (in >> word) {
    auto eq = word.find('=');
    if (eq == std::string::npos) {
      return std::nullopt;
    }
    fields[word.substr(0, eq)] = word.substr(eq + 1);
  }
  for (const char* key : {"uuid", "genid", "seed", "gen"}) {
    if (!fields.contains(key)) {
      return std::nullopt;
    }
  }
  return GuestIdentity{fields["uuid"], fields["genid"], fields["seed"], fields["gen"]};
}

std::string hex64(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string dirty_sum(uint64_t mb, uint64_t seed) {
  constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < mb; ++i) {
    sum += 131072 * (seed * kGolden + i);
  }
  return "sum " + hex64(sum);
}

void write_exiting_kernel(const std::string& path, uint8_t code) {
  std::string image = read_text(MIMEO_GUEST_ELF);
  ASSERT_GE(image.size(), sizeof(Elf64_Ehdr));
  Elf64_Ehdr header;
  std::memcpy(&header, image.data(), sizeof header);
  auto program_header = [&](int i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, image.data() + header.e_phoff + i * header.e_phentsize, sizeof ph);
    return ph;
  };
  // The PVH entry: the "Xen" note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY).
  uint64_t entry = 0;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph = program_header(i);
    for (uint64_t at = ph.p_offset; ph.p_type == PT_NOTE && at + 12 <= ph.p_offset + ph.p_filesz;) {
      Elf64_Nhdr note;
      std::memcpy(&note, image.data() + at, sizeof note);
      const uint64_t desc = at + 12 + ((note.n_namesz + 3) & ~3U);
      if (note.n_type == 18) {
        uint32_t entry32 = 0;
        std::memcpy(&entry32, image.data() + desc, sizeof entry32);
        entry = entry32;
      }
      at = desc + ((note.n_descsz + 3) & ~3U);
    }
  }
  ASSERT_NE(entry, 0U) << "no PVH entry note in " << MIMEO_GUEST_ELF;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph = program_header(i);
    if (ph.p_type == PT_LOAD && entry >= ph.p_paddr && entry + 5 <= ph.p_paddr + ph.p_filesz) {
      // 32-bit code: mov $code, %al; out %al, $0xf4; hlt
      const char exit_code[] = {'\xb0', static_cast<char>(code), '\xe6', '\xf4', '\xf4'};
      image.replace(ph.p_offset + (entry - ph.p_paddr), sizeof exit_code, exit_code,
                    sizeof exit_code);
      write_text(path, image);
      return;
    }
  }
  FAIL() << "the PVH entry 0x" << std::hex << entry << " is in no PT_LOAD segment";
}

}  // namespace mimeo::e2e
