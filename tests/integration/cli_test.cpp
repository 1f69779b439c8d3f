// Runs the real executable: what a newcomer and an operator see.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace contexten {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun Execute(const std::string& args, const std::string& env = "") {
  const std::string command = "env -u SLACK_APP_TOKEN -u SLACK_BOT_TOKEN " + env + " " +
                              std::string(CONTEXTEN_BINARY_DIR) + "/contexten " + args +
                              " </dev/null 2>&1";
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe))
    run.output.append(buf.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

int Lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(CliTest, SandboxScriptPrintsHelpAndPong) {
  testing::TempDir dir;
  std::ofstream(dir.File("script")) << "/ctx help\n/ctx ping\n";
  const CliRun run = Execute("sandbox --script " + dir.File("script"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("Contexten commands"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("/ctx ping"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("pong · Contexten"), std::string::npos) << run.output;
}

TEST(CliTest, SandboxScriptFilesAnIssueThroughTheModalAndTakesIt) {
  testing::TempDir dir;
  std::ofstream(dir.File("script")) << "/ctx new\n"
                                       "submit title=" +
                                           std::string(260, 'x') +
                                           " priority=2\n"
                                           "submit title=Login page crashes on Safari priority=2\n"
                                           "click Assign to me\n";
  const CliRun run = Execute("sandbox --script " + dir.File("script"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const auto at = [&](const std::string& needle, std::size_t from = 0) {
    const auto pos = run.output.find(needle, from);
    EXPECT_NE(pos, std::string::npos) << "missing '" << needle << "' in:\n" << run.output;
    return pos == std::string::npos ? from : pos;
  };
  // The modal, with its fields and how to fill them in.
  auto pos = at("contexten opened a form:");
  pos = at("New issue", pos);
  pos = at("Title", pos);
  pos = at("submit title=", pos);
  // A title over 255 characters: the error shows under the form.
  pos = at("! Title: Keep the title to 255 characters", pos);
  // A good one: the form closes, the workflow files it in Linear (the team field starts with
  // the stand-in's ENG) and the card shows the identifier, with its button.
  pos = at("closed)", pos);
  pos = at("Login page crashes on Safari", pos);
  pos = at("ENG-1", pos);
  pos = at("[Assign to me]", pos);
  // The click: assigned in Linear, the card is updated in place and a thread reply names who.
  // The edit and the reply are separate effects with their own order keys (a reply never waits
  // behind a chat.update), so either may be shown first.
  const auto edited = at("(updated its message)", pos);
  at("Assignee @U0SANDBOXUSER", edited);
  at("is taking this one", pos);
}

TEST(CliTest, VersionAndHelp) {
  EXPECT_NE(Execute("--version").output.find("contexten 0."), std::string::npos);
  const CliRun help = Execute("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* sub : {"run", "sandbox", "migrate", "check-config"}) {
    EXPECT_NE(help.output.find(sub), std::string::npos) << sub;
  }
}

TEST(CliTest, MalformedYamlStopsStartupWithOneLine) {
  testing::TempDir dir;
  std::ofstream(dir.File("bad.yaml")) << "slack:\n  api_url: [unclosed\n";
  const CliRun run = Execute("run --config " + dir.File("bad.yaml"));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(Lines(run.output), 1) << run.output;
  EXPECT_NE(run.output.find("malformed YAML at line "), std::string::npos) << run.output;
}

TEST(CliTest, MissingRequiredKeyStopsStartupWithOneLine) {
  const CliRun run = Execute("run", "SLACK_APP_TOKEN=xapp-1-A1-1-abc");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(Lines(run.output), 1) << run.output;
  EXPECT_NE(run.output.find("slack.bot_token is required"), std::string::npos) << run.output;
}

TEST(CliTest, UnknownUrlSchemeStopsStartupWithOneLine) {
  const CliRun run = Execute("check-config", "GITHUB_API_URL=gopher://github.example");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(Lines(run.output), 1) << run.output;
  EXPECT_NE(run.output.find("github.api_url"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("'gopher'"), std::string::npos) << run.output;
}

TEST(CliTest, MigrateCreatesTheStore) {
  testing::TempDir dir;
  const CliRun run = Execute("migrate", "CONTEXTEN_STORE_PATH=" + dir.File("c.db"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("schema version"), std::string::npos) << run.output;
  EXPECT_TRUE(std::ifstream(dir.File("c.db")).good());
}

}  // namespace
}  // namespace contexten
