#pragma once
// Runs a program as a child process with its output sent to files, for tests that kill
// it (SIGKILL) at a chosen moment.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <string>
#include <vector>

extern char** environ;

namespace mmn::testing {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_file, const std::string& stderr_file) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    spawned_ = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) == 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (spawned_ && !reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }

  bool spawned() const { return spawned_; }

  // The exit status as waitpid gives it.
  int wait() {
    if (!reaped_) {
      while (::waitpid(pid_, &status_, 0) < 0) {
      }
      reaped_ = true;
    }
    return status_;
  }

  // True when the child had already exited by itself (status in wait()).
  bool exited() {
    if (reaped_) return true;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
    return reaped_;
  }

  void kill_now() { ::kill(pid_, SIGKILL); }

 private:
  pid_t pid_ = -1;
  bool spawned_ = false;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace mmn::testing
