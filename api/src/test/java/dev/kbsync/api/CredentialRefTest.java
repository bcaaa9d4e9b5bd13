package dev.kbsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialRefTest {
    @Test
    void shouldReadEveryKindFromItsJsonFormAndWriteItBack() {
        for (String json : new String[] {
            "{\"env\":\"TEAM_A_TOKEN\",\"username\":\"x-access-token\"}",
            "{\"file\":\"/run/secrets/team-a\"}",
            "{\"githubApp\":{\"appId\":\"123\",\"installationId\":456,\"privateKeyFile\":\"/run/secrets/app.pem\","
                    + "\"apiBase\":\"https://ghe.example.com/api/v3\"}}",
            "{\"sshKey\":\"/run/secrets/id\",\"strictHostKeyChecking\":true,\"knownHosts\":\"/etc/kbsync/known_hosts\"}"
        }) {
            CredentialRef ref = CredentialRef.fromJson(new JsonObject(json));
            assertThat(CredentialRef.fromJson(ref.toJson())).isEqualTo(ref);
            assertThat(ref.toJson()).isEqualTo(new JsonObject(json));
        }
    }

    @Test
    void shouldDefaultTheGitHubApiBaseAndStrictHostKeyChecking() {
        CredentialRef app = CredentialRef.fromFields(
                Map.of("githubApp.appId", "7", "githubApp.installationId", "8", "githubApp.privateKeyFile", "/k.pem"));
        assertThat(app).isEqualTo(new CredentialRef.GitHubApp("7", 8, "/k.pem", "https://api.github.com"));
        CredentialRef ssh = CredentialRef.fromFields(Map.of("sshKey", "/id", "knownHosts", "/kh"));
        assertThat(ssh).isEqualTo(new CredentialRef.SshKey("/id", "/kh", true));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"env\":\"A\",\"file\":\"/b\"}",
                "{\"env\":\"A\",\"knownHosts\":\"/kh\"}",
                "{\"sshKey\":\"/id\",\"username\":\"git\"}",
                "{\"sshKey\":\"/id\"}",
                "{\"sshKey\":\"/id\",\"knownHosts\":\"/kh\",\"strictHostKeyChecking\":\"maybe\"}",
                "{\"token\":\"abc\"}",
                "{\"env\":\"1ABC\"}",
                "{\"env\":\"KBSYNC_COORDINATOR_TOKEN\"}",
                "{\"env\":[\"A\"]}",
                "{\"file\":\"relative/path\"}",
                "{\"file\":\"/run/../etc/shadow\"}",
                "{\"file\":\"/run/secrets/\"}",
                "{\"githubApp\":{\"appId\":\"1\",\"installationId\":0,\"privateKeyFile\":\"/k\"}}",
                "{\"githubApp\":{\"appId\":\"1\",\"installationId\":\"x\",\"privateKeyFile\":\"/k\"}}",
                "{\"githubApp\":{\"appId\":\"1\",\"installationId\":2}}",
                "{\"githubApp\":{\"appId\":\"1\",\"installationId\":2,\"privateKeyFile\":\"/k\",\"apiBase\":\"http://api.github.com\"}}",
                "{\"githubApp\":{\"appId\":\"1\",\"installationId\":2,\"privateKeyFile\":\"/k\",\"apiBase\":\"https://u:p@h\"}}",
                "{\"githubApp\":{\"appId\":\"1\",\"installationId\":2,\"privateKeyFile\":\"/k\",\"other\":1}}"
            })
    void shouldRefuseABadShapeWithOneCode(String json) {
        assertThatThrownBy(() -> CredentialRef.fromJson(new JsonObject(json)))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_CREDENTIALS"));
    }

    @Test
    void shouldNeverRepeatATokenPastedWhereAVariableNameBelongs() {
        String token = "ghp_R8x2Lw7Qz1Vn4Tb6Yc9Ud3Ke5Mf0Hg";
        assertThatThrownBy(() -> CredentialRef.fromJson(new JsonObject().put("env", token)))
                .isInstanceOf(InvalidInputException.class)
                .message()
                .doesNotContain(token);
    }

    @Test
    void shouldAcceptAGitHubStandInOnLoopbackOverPlainHttp() {
        CredentialRef.GitHubApp app = new CredentialRef.GitHubApp("1", 2, "/k.pem", "http://127.0.0.1:8123/");
        assertThat(app.apiBase()).isEqualTo("http://127.0.0.1:8123");
    }

    @Test
    void shouldCarryTheReferenceInTheKbRecord() {
        KbConfig kb = new KbConfig(KbId.of("team-a"), "https://github.com/acme/a.git", "main")
                .withCredentials(new CredentialRef.File("/run/secrets/a", null));
        assertThat(KbConfig.fromJson(kb.toJson())).isEqualTo(kb);
        KbConfig plain = new KbConfig(KbId.of("team-b"), "https://github.com/acme/b.git", null);
        assertThat(plain.toJson().containsKey("credentials")).isFalse();
        assertThat(KbConfig.fromJson(plain.toJson())).isEqualTo(plain);
    }
}
