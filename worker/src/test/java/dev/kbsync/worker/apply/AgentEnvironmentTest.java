package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.Secrets;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fixture.Scripts;
import dev.kbsync.worker.process.WorkerConfig;
import dev.kbsync.worker.process.WorkerConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent process never sees the worker's secrets: not in its environment, not on its command line, neither the
 * worker's own variables nor the KB credentials it resolved (secret files, its environment file).
 */
class AgentEnvironmentTest {
    private static final Map<String, String> SECRETS = Map.of(
            "KBSYNC_COORDINATOR_TOKEN", "coordinator-value-7f3a",
            "KBSYNC_GIT_TOKEN", "git-value-91c2",
            "GITHUB_TOKEN", "github-value-5d0e",
            "github_token", "lower-github-value-2b8f",
            "GIT_PASSWORD", "password-value-c41d",
            "Db_Password", "mixed-case-value-e6a9",
            "MY_SECRET_KEY", "secret-key-value-38b7");

    @TempDir
    Path scripts;

    @TempDir
    Path work;

    @TempDir
    Path io;

    @Test
    void shouldHideEverySecretNamedVariableInAnyCaseAndPassTheRest() throws IOException {
        Path seen = scripts.resolve("seen.txt");
        Map<String, String> parent = new HashMap<>(SECRETS);
        parent.put("PATH", System.getenv("PATH"));
        parent.put("KBSYNC_TEST_VISIBLE", "yes");
        parent.put("GITHUB_USERNAME", "gh-user");
        AgentCommand agent = Scripts.agent(scripts, "agent", "env > " + seen + "; env", Duration.ofSeconds(30));

        AgentRun run = AgentProcess.run(agent, work, "list your environment", io, parent);

        assertThat(run).isInstanceOf(AgentRun.Exited.class);
        assertThat(((AgentRun.Exited) run).code()).isZero();
        String environment = Files.readString(seen);
        assertThat(environment.lines())
                .contains("KBSYNC_TEST_VISIBLE=yes", "GITHUB_USERNAME=gh-user", "PATH=" + System.getenv("PATH"));
        String output = ((AgentRun.Exited) run).output();
        assertThat(output).contains("KBSYNC_TEST_VISIBLE=yes");
        for (Map.Entry<String, String> secret : SECRETS.entrySet()) {
            for (String text : List.of(environment, output)) {
                assertThat(text).doesNotContain(secret.getValue());
                assertThat(text.toUpperCase(Locale.ROOT))
                        .doesNotContain(secret.getKey().toUpperCase(Locale.ROOT) + "=");
            }
        }
    }

    /**
     * With {@code credentials.envPrefix} set, KB credentials live in variables named with it: none reaches an agent,
     * also one no KB of this worker has used yet (another KB's token, whatever its name says).
     */
    @Test
    void shouldHideEveryVariableNamedWithTheCredentialPrefixUsedOrNot() throws IOException {
        Path seen = scripts.resolve("seen-prefix.txt");
        Path script =
                Files.writeString(scripts.resolve("agent-prefix.sh"), "#!/usr/bin/env bash\nenv > " + seen + "\n");
        WorkerConfig config = WorkerConfigLoader.load(Map.of(
                "KBSYNC_COORDINATOR_URL", "http://127.0.0.1:8080",
                "KBSYNC_WORKER_ID", "w",
                "KBSYNC_AGENT_COMMAND", "bash " + script,
                "KBSYNC_CREDENTIALS_ENV_PREFIX", "KB_"));
        Map<String, String> parent = new HashMap<>(Map.of("KB_TEAM_B_PAT", "team-b-unused-2f9a", "VISIBLE", "yes"));
        parent.put("PATH", System.getenv("PATH"));

        AgentRun run = AgentProcess.run(config.agent().orElseThrow(), work, "list your environment", io, parent);

        assertThat(run).isInstanceOf(AgentRun.Exited.class);
        assertThat(Files.readString(seen))
                .contains("VISIBLE=yes")
                .doesNotContain("KB_TEAM_B_PAT")
                .doesNotContain("team-b-unused-2f9a");
    }

    /**
     * A KB's credential may live in a variable of any name ({@code credentials: {env: TEAM_A_PAT}}): once the worker
     * used its value (a registered secret), no agent sees that variable, whatever it is called.
     */
    @Test
    void shouldHideAVariableHoldingACredentialTheWorkerUsedWhateverItsName() throws IOException {
        Secrets.register("team-a-pat-value-6c1e");
        try {
            Path seen = scripts.resolve("seen-pat.txt");
            Map<String, String> parent = new HashMap<>(Map.of("TEAM_A_PAT", "team-a-pat-value-6c1e", "VISIBLE", "yes"));
            parent.put("PATH", System.getenv("PATH"));
            AgentCommand agent = Scripts.agent(scripts, "agent-pat", "env > " + seen, Duration.ofSeconds(30));

            AgentRun run = AgentProcess.run(agent, work, "list your environment", io, parent);

            assertThat(run).isInstanceOf(AgentRun.Exited.class);
            assertThat(Files.readString(seen))
                    .contains("VISIBLE=yes")
                    .doesNotContain("TEAM_A_PAT")
                    .doesNotContain("team-a-pat-value-6c1e");
        } finally {
            Secrets.forget("team-a-pat-value-6c1e");
        }
    }

    @Test
    void shouldGiveTheAgentTheWorkersOwnEnvironmentMinusSecretsOnTheProductionPath() throws IOException {
        AgentCommand env = new AgentCommand(List.of("env", "-0"), Duration.ofSeconds(30));

        AgentRun run = AgentProcess.run(env, work, "list your environment", io);

        assertThat(run).isInstanceOf(AgentRun.Exited.class);
        Map<String, String> visible = new HashMap<>();
        for (String entry : Files.readString(io.resolve("agent-output.txt")).split("\0")) {
            int eq = entry.indexOf('=');
            visible.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        Map<String, String> expected = new HashMap<>(System.getenv());
        expected.keySet().removeIf(AgentEnvironmentTest::secretName);
        // names only in the failure messages: a failing run must not print the values it was meant to hide
        assertThat(visible.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(expected.keySet().stream().filter(name -> !expected.get(name).equals(visible.get(name))))
                .as("variables whose value the agent saw changed")
                .isEmpty();
    }

    @Test
    void shouldNeverHandTheAgentASecretTheWorkerResolvedForAKb() throws IOException {
        Path secrets = Files.createDirectories(scripts.resolve("secrets")).toRealPath();
        Path file = Files.writeString(secrets.resolve("token"), "file-canary-7e21");
        Path envFile = Files.writeString(scripts.resolve("worker.env"), "TEAM_TOKEN=env-file-canary-03d9\n");
        CredentialResolver resolver = new CredentialResolver(
                new CredentialSettings(Optional.of(envFile), List.of(secrets), "", Optional.empty()),
                System.getenv(),
                Clock.systemUTC());
        for (CredentialRef reference :
                List.of(new CredentialRef.File(file.toString(), null), new CredentialRef.Env("TEAM_TOKEN", null))) {
            KbConfig kb =
                    new KbConfig(KbId.of("team"), "https://git.example.org/t.git", "main").withCredentials(reference);
            assertThat(resolver.forKb(kb).current()).isPresent();
        }
        AgentCommand agent = Scripts.agent(
                scripts,
                "agent",
                "env; tr '\\0' ' ' < /proc/$$/cmdline; tr '\\0' ' ' < /proc/$PPID/cmdline",
                Duration.ofSeconds(30));

        AgentRun run = AgentProcess.run(agent, work, "list your environment", io);

        assertThat(run).isInstanceOf(AgentRun.Exited.class);
        String output = ((AgentRun.Exited) run).output();
        assertThat(output).contains("PATH=").doesNotContain("file-canary-7e21", "env-file-canary-03d9", "TEAM_TOKEN=");
    }

    @Test
    void shouldPassTheTaskOnStdinAndNeverOnTheCommandLine() throws IOException {
        Path args = scripts.resolve("args.txt");
        Path stdin = scripts.resolve("stdin.txt");
        AgentCommand agent = Scripts.agent(
                scripts,
                "agent",
                "tr '\\0' '\\n' < /proc/$$/cmdline > " + args + "; cat > " + stdin,
                Duration.ofSeconds(30));

        AgentProcess.run(agent, work, "task text 4e1f", io, Map.of("PATH", System.getenv("PATH")));

        assertThat(Files.readString(args).lines())
                .containsExactly("bash", scripts.resolve("agent.sh").toString());
        assertThat(Files.readString(stdin)).isEqualTo("task text 4e1f");
    }

    private static boolean secretName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.contains("TOKEN") || upper.contains("SECRET") || upper.contains("PASSWORD");
    }
}
