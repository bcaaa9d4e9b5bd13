package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.redis.Script;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.ListCursor;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job index (lib.lua): a list of positions (created ms, ticket id) kept in order, so the job list pages by
 * bisection; an index of the earlier form (a sorted set) is read as it is and rewritten as a list by the first script
 * that writes to the KB, with the same order and the same cursors.
 */
class JobIndexIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final String LIB = lib();

    Coordinators coordinators;

    @AfterEach
    void stop() {
        if (coordinators != null) {
            coordinators.close();
        }
        RespClient.once(redis.port(), Duration.ofSeconds(2), "FLUSHALL");
    }

    @Test
    void shouldListAnIndexOfTheEarlierFormAndRewriteItAsAListOnTheFirstWrite() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(Coordinators.config("i1"));
        KbId kb = KbId.of("index-form");
        coordinators.register(engine, kb.value());
        JobService jobs = engine.services().jobs();
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            submitted.add(submit(jobs, kb, "note " + i).id());
        }
        String index = new KbKeys(kb).prefix() + "index";
        List<String> entries = strings(call("LRANGE", index, "0", "-1"));
        assertThat(entries).hasSize(7).isSorted();
        // newest first is by position: submit ms, then ticket id (two jobs may share a ms)
        List<String> newestFirst = new ArrayList<>(
                entries.stream().map(e -> kb.value() + "~" + e.substring(11)).toList());
        Collections.reverse(newestFirst);
        assertThat(newestFirst).containsExactlyInAnyOrderElementsOf(submitted);
        // the same jobs as the earlier version indexed them: ticket id -> created ms, in one step, so that no sweep
        // script of the running coordinator rewrites a half-built sorted set as a list in between (it did once)
        List<String> replace = new ArrayList<>(List.of(
                "EVAL",
                "redis.call('DEL', KEYS[1]) for i = 1, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end",
                "1",
                index));
        for (String entry : entries) {
            replace.add(Long.toString(Long.parseLong(entry.substring(0, 11), 16)));
            replace.add(entry.substring(11));
        }
        call(replace.toArray(String[]::new));

        assertThat(pages(jobs, kb, 3)).as("the sorted set, paged").containsExactlyElementsOf(newestFirst);
        JobPage first = await(jobs.list(query(kb, 3, Optional.empty())));
        newestFirst.add(0, submit(jobs, kb, "the first write").id());

        assertThat(call("TYPE", index)).isEqualTo("list");
        assertThat(strings(call("LRANGE", index, "0", "-1")))
                .hasSize(8)
                .isSorted()
                .startsWith(entries.get(0));
        assertThat(pages(jobs, kb, 3)).as("the list, paged").containsExactlyElementsOf(newestFirst);
        JobPage after = await(jobs.list(query(kb, 3, Optional.of(ListCursor.decode(first.nextCursor())))));
        assertThat(after.jobs())
                .as("a cursor given out while the index was a sorted set")
                .extracting(Job::id)
                .containsExactlyElementsOf(newestFirst.subList(4, 7));
    }

    @Test
    void shouldKeepEntriesInPositionOrderWhateverOrderTheyArriveIn() {
        KbKeys keys = new KbKeys(KbId.of("index-order"));
        // positions out of order: the same ms with smaller ticket ids, and a clock that went back
        String[][] added = {
            {"1000", "bb"},
            {"1000", "cc"},
            {"1000", "aa"},
            {"2000", "aa"},
            {"999", "ff"},
            {"1500", "00"},
            {"3000", "aa"}
        };
        for (String[] entry : added) {
            lib(keys, "indexAdd(" + entry[0] + ", '" + entry[1] + "') return 'ok'");
        }

        List<String> index = strings(call("LRANGE", keys.prefix() + "index", "0", "-1"));

        assertThat(index)
                .extracting(e -> Long.parseLong(e.substring(0, 11), 16) + ":" + e.substring(11))
                .containsExactly("999:ff", "1000:aa", "1000:bb", "1000:cc", "1500:00", "2000:aa", "3000:aa");
        assertThat(lib(keys, "return tostring(indexHas(1500, '00'))")).isEqualTo("true");
        assertThat(lib(keys, "return tostring(indexHas(1000, 'ab'))")).isEqualTo("false");
        assertThat(lib(keys, "return tostring(indexHas(4000, 'aa'))")).isEqualTo("false");
        assertThat(lib(keys, "return indexBelow(indexEntry(1000, 'bb'))")).isEqualTo(2L);
    }

    private static Job submit(JobService jobs, KbId kb, String text) {
        return await(jobs.submit(kb, "ann", new JobPayload.Note(text, null, null), Optional.empty()));
    }

    /** Every job of the KB, newest first, following the cursor {@code limit} at a time. */
    private static List<String> pages(JobService jobs, KbId kb, int limit) {
        List<String> ids = new ArrayList<>();
        Optional<ListCursor> cursor = Optional.empty();
        for (int page = 0; page < 20; page++) {
            JobPage p = await(jobs.list(query(kb, limit, cursor)));
            p.jobs().forEach(j -> ids.add(j.id()));
            if (p.nextCursor() == null) {
                return ids;
            }
            cursor = Optional.of(ListCursor.decode(p.nextCursor()));
        }
        throw new AssertionError("no end after 20 pages: " + ids);
    }

    private static JobListQuery query(KbId kb, int limit, Optional<ListCursor> cursor) {
        return new JobListQuery(List.of(kb), Optional.empty(), Optional.empty(), limit, cursor, List.of());
    }

    /** Runs {@code code} after lib.lua on the KB's keys, with a header of usual arguments. */
    private static Object lib(KbKeys keys, String code) {
        List<String> args = new ArrayList<>();
        args.add("EVAL");
        args.add(LIB + code);
        args.add(Integer.toString(keys.all().size()));
        keys.all().forEach(k -> args.add(String.valueOf(k)));
        Collections.addAll(args, "kb", "owner", "60000", "0", "3", "86400000", "n0", "3000", "c1", "5000");
        return call(args.toArray(String[]::new));
    }

    private static Object call(String... command) {
        try (RespClient client = RespClient.connect(redis.port(), Duration.ofSeconds(5))) {
            return client.call(command);
        }
    }

    private static String lib() {
        try (java.io.InputStream in = Script.class.getResourceAsStream("lib.lua")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> strings(Object reply) {
        return ((List<?>) reply).stream().map(String::valueOf).toList();
    }
}
