package dev.kbsync.coordinator.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.error.UnavailableException;
import org.junit.jupiter.api.Test;
import org.redisson.client.RedisException;
import org.redisson.client.RedisNoReplicasException;
import org.redisson.client.RedisReconnectedException;

/** Which of Redis's refusals answer 503 (retry) rather than 500. */
class RedisFailuresTest {
    /**
     * A Redis that cannot persist refuses writes with MISCONF, which Redisson has no type for (and Redis 6 wraps a
     * script's in ERR Error running script ... -MISCONF, as it wraps READONLY and NOREPLICAS met inside a script on a master
     * that a failover demoted or that lost its replicas); one short of replicas (min-replicas-to-write) with NOREPLICAS;
     * a connection that dropped and came back under a step in flight fails it with RedisReconnectedException. Neither is the request's fault, nor a defect: 503, retry.
     */
    @Test
    void shouldAnswer503ForAWriteRefusedUntilRedisCanPersistAndForAStepCutByAReconnect() {
        for (RedisException refused : new RedisException[] {
            new RedisException("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist"
                    + " to disk. Commands that may modify the data set are disabled"),
            new RedisException("ERR Error running script (call to f_1234): @user_script:1: -MISCONF Redis is configured"
                    + " to save RDB snapshots"),
            // Redis 6.2 runs a script on a master demoted by a failover and fails its first write inside it
            new RedisException("ERR Error running script (call to f_1234): @user_script:12: -READONLY You can't write"
                    + " against a read only replica."),
            new RedisException("ERR Error running script (call to f_1234): @user_script:12: -NOREPLICAS Not enough"
                    + " good replicas to write."),
            new RedisReconnectedException("Channel has been reconnected"),
            new RedisNoReplicasException("NOREPLICAS Not enough good replicas to write.")
        }) {
            assertThat(Redis.unavailable(refused).cause())
                    .as(refused.getMessage())
                    .isInstanceOf(UnavailableException.class);
        }
    }

    /** A script's own error (a defect) stays what it is: 500. */
    @Test
    void shouldLeaveAScriptsOwnErrorAsItIs() {
        RedisException defect = new RedisException("ERR user_script:12: attempt to index a nil value");

        assertThat(Redis.unavailable(defect).cause()).isSameAs(defect);
    }
}
