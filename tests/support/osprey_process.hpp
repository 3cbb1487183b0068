#pragma once

// Starting the built `osprey` binary (OSPREY_BINARY) as a user would, for
// the end-to-end tests: stdout and stderr go to files in a scratch
// directory, read back when it exits.

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace osprey::test {

namespace fs = std::filesystem;

struct outcome {
  int exit_code = -1;
  std::string out, err;
};

/// The shared daily files of AAPL, IBM, KO and MSFT 2012-2014 (a small
/// universe), or none when the shared data is absent.
inline std::vector<std::string> shared_daily_files() {
  std::vector<std::string> files;
  for (const char* s : {"AAPL", "IBM", "KO", "MSFT"}) {
    std::string p = OSPREY_SHARED_DATA "/market/";
    p += s;
    p += "_daily_2012-2014.csv";
    if (!fs::exists(p))
      return {};
    files.push_back(p);
  }
  return files;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class scratch_dir {
public:
  scratch_dir() {
    // One directory per process and per scratch_dir: tests of one binary
    // may run at once (ctest -j) and each needs its own files.
    static int made = 0;
    std::string name = "osprey-e2e-";
    name += std::to_string(::getpid());
    name += "-";
    name += std::to_string(made++);
    path_ = fs::temp_directory_path() / name;
    fs::create_directories(path_);
  }
  ~scratch_dir() { fs::remove_all(path_); }
  fs::path operator/(const std::string& name) const { return path_ / name; }

private:
  fs::path path_;
};

/// Starts `osprey args...` with stdout and stderr going to files in `dir`.
inline pid_t start(const std::vector<std::string>& args, const scratch_dir& dir) {
  std::vector<std::string> argv_s{OSPREY_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, (dir / "stdout").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, (dir / "stderr").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

/// Waits up to `timeout` for `pid`; kills it if it overstays.
inline outcome finish(pid_t pid, const scratch_dir& dir,
               std::chrono::seconds timeout = std::chrono::seconds{60}) {
  outcome o;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      o.err = "timed out";
      return o;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = slurp(dir / "stdout");
  o.err = slurp(dir / "stderr");
  return o;
}

inline outcome run(const std::vector<std::string>& args, const scratch_dir& dir) {
  return finish(start(args, dir), dir);
}

} // namespace osprey::test
