package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jgit.transport.SshSessionFactory;
import org.junit.jupiter.api.Test;

class SshTransportTest {
    @Test
    void shouldHaveAnSshImplementationForGitAtGithubRemotes() {
        assertThat(SshSessionFactory.getInstance()).isNotNull();
        assertThat(SshSessionFactory.getInstance().getType()).isEqualTo("mina-sshd");
    }
}
