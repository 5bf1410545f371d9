// The `backline` binary as a user runs it: a real process, real flags, real
// signals.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"

extern char** environ;

namespace backline {
namespace {

// A child process with its stdout and stderr captured.
class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv;
    args.insert(args.begin(), BACKLINE_BINARY);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, BACKLINE_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    fd_ = out[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }

  // Reads output until `needle` appears or `timeout` passes; returns it all.
  std::string ReadUntil(const std::string& needle, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    fcntl(fd_, F_SETFL, O_NONBLOCK);
    while (output_.find(needle) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n > 0) {
        output_.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    return output_;
  }

  // Waits for exit; returns the exit code, or -1 on timeout or signal.
  int Wait(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  void Signal(int sig) { kill(pid_, sig); }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

// A fresh folder for a process's data, removed afterwards.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/binary_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string UrlFrom(const std::string& output) {
  const std::string marker = "listening on ";
  size_t at = output.find(marker);
  if (at == std::string::npos) return "";
  size_t end = output.find('\n', at);
  return output.substr(at + marker.size(), end - at - marker.size());
}

TEST(BinaryTest, ServesRolesUntilSigterm) {
  TempDir dir;
  Process p({"serve", "merchant", "payment", "--port", "0", "--log-level", "warn", "--data-dir",
             dir.path()});
  ASSERT_TRUE(p.started());
  std::string out = p.ReadUntil("listening on", std::chrono::seconds(20));
  std::string url = UrlFrom(out);
  ASSERT_FALSE(url.empty()) << out;
  EXPECT_NE(std::string::npos, out.find("serving merchant, payment"));

  http::Client client;
  auto health = client.SendBlocking(http::ClientRequest::Get(url + "/healthz"));
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(200, health->status);
  auto page = client.SendBlocking(http::ClientRequest::Get(url + "/"));
  ASSERT_TRUE(page.ok());
  EXPECT_NE(std::string::npos, page->body.find("Payment authority"));
  // The payment authority runs on its own port, announced on stdout.
  size_t at = out.find("payment at ");
  ASSERT_NE(std::string::npos, at) << out;
  std::string payment = out.substr(at + 11, out.find('\n', at) - at - 11);
  auto keys = client.SendBlocking(http::ClientRequest::Get(payment + "/v1/keys"));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(200, keys->status);

  p.Signal(SIGTERM);
  EXPECT_EQ(0, p.Wait(std::chrono::seconds(15)));
}

TEST(BinaryTest, DemoRunsEveryRole) {
  TempDir dir;
  Process p({"demo", "--port", "0", "--log-level", "warn", "--data-dir", dir.path()});
  std::string out = p.ReadUntil("listening on", std::chrono::seconds(20));
  EXPECT_NE(std::string::npos,
            out.find("serving merchant, payment, clearinghouse, delivery, licensing, rights"))
      << out;
  p.Signal(SIGINT);
  EXPECT_EQ(0, p.Wait(std::chrono::seconds(15)));
}

TEST(BinaryTest, UnknownRoleIsAClearError) {
  Process p({"serve", "bank", "--port", "0"});
  std::string out = p.ReadUntil("\n", std::chrono::seconds(20));
  EXPECT_EQ(1, p.Wait(std::chrono::seconds(15)));
  EXPECT_NE(std::string::npos, out.find("unknown role 'bank'")) << out;
}

TEST(BinaryTest, BadSettingNamesTheKey) {
  Process p({"serve", "rights", "--set", "http.idle_timeout=soon"});
  std::string out = p.ReadUntil("\n", std::chrono::seconds(20));
  EXPECT_EQ(1, p.Wait(std::chrono::seconds(15)));
  EXPECT_NE(std::string::npos, out.find("http.idle_timeout")) << out;
}

TEST(BinaryTest, EverySubcommandHasHelp) {
  for (const char* sub : {"demo", "serve"}) {
    Process p({sub, "--help"});
    std::string out = p.ReadUntil("--log-json", std::chrono::seconds(20));
    EXPECT_EQ(0, p.Wait(std::chrono::seconds(15))) << sub;
    EXPECT_NE(std::string::npos, out.find("--config")) << sub << ": " << out;
  }
}

}  // namespace
}  // namespace backline
