package dev.kbsync.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The capacity model's measured constants, by name (see docs/capacity.md for each one's meaning and unit), from one
 * run; {@link #median} of several runs, with the spread of each.
 */
record CapacityConstants(Map<String, Double> values) {
    /** Name, unit, what it is; in the order the page lists them. */
    static final List<String[]> KEYS = List.of(
            new String[] {"redis.callsPerJob", "commands", "Redis commands per job (submit, grant, poll, result)"},
            new String[] {"redis.scriptsPerJob", "scripts", "of which script calls (EVALSHA/EVAL)"},
            new String[] {"redis.cpuMsPerJob", "ms", "Redis CPU per job"},
            new String[] {"redis.bytesPerJob", "bytes", "Redis network bytes in + out per job"},
            new String[] {"redis.callsPerGrant", "commands", "Redis commands per raw lease (request granted + release)"
            },
            new String[] {"redis.cpuMsPerGrant", "ms", "Redis CPU per raw lease"},
            new String[] {"redis.bytesPerGrant", "bytes", "Redis network bytes per raw lease"},
            new String[] {
                "redis.idleCallsPerSec", "commands/s", "Redis commands per second of one idle coordinator, no KBs"
            },
            new String[] {"redis.idleCpuMsPerSec", "ms/s", "Redis CPU per second, one idle coordinator, no KBs"},
            new String[] {
                "redis.sweepCallsPerKbSec",
                "commands/s",
                "Redis commands per second per registered KB per coordinator (sweep)"
            },
            new String[] {"redis.sweepCpuMsPerKbSec", "ms/s", "Redis CPU per second per registered KB per coordinator"},
            new String[] {
                "redis.busySweepCallsPerKbSec",
                "commands/s",
                "more Redis commands per second per KB with queued work per coordinator (never quiet)"
            },
            new String[] {
                "redis.busySweepCpuMsPerKbSec",
                "ms/s",
                "more Redis CPU per second per KB with queued work per coordinator"
            },
            new String[] {"redis.bytesPerKb", "bytes", "Redis memory per registered KB"},
            new String[] {
                "redis.bytesPerKbWithJobs",
                "bytes",
                "Redis memory a KB's finished jobs take beyond their own (first job)"
            },
            new String[] {
                "redis.bytesPerKbWithQueue",
                "bytes",
                "Redis memory a KB's queue takes beyond its jobs (first queued job)"
            },
            new String[] {"redis.bytesPerQueuedJob", "bytes", "Redis memory per queued job"},
            new String[] {
                "redis.bytesPerRetainedJob", "bytes", "Redis memory per finished job kept (jobs.retentionHours)"
            },
            new String[] {"coordinator.cpuMsPerRequest", "ms", "coordinator CPU per HTTP request (submit, poll, result)"
            },
            new String[] {"coordinator.cpuMsPerJob", "ms", "coordinator CPU per job (all its requests)"},
            new String[] {"coordinator.cpuMsPerGrantRequest", "ms", "coordinator CPU per raw lease HTTP request"},
            new String[] {"coordinator.cpuMsPerEvent", "ms", "coordinator CPU per SSE event sent"},
            new String[] {"coordinator.eventsPerJob", "events", "SSE events per job for each stream following its user"
            },
            new String[] {"coordinator.idleCpuMsPerSec", "ms/s", "coordinator CPU per second, idle, no KBs"},
            new String[] {
                "coordinator.sweepCpuMsPerKbSec", "ms/s", "coordinator CPU per second per registered KB (sweep)"
            },
            new String[] {
                "coordinator.busySweepCpuMsPerKbSec",
                "ms/s",
                "more coordinator CPU per second per KB with queued work (swept every pass)"
            },
            new String[] {"client.cpuMsPerJob", "ms", "load generator CPU per job (simulated worker and submitter)"},
            new String[] {"worker.notesPerSecPerKb", "notes/s", "worker publish cycles per second on one KB (git-bound)"
            },
            new String[] {
                "worker.cpuMsPerNote",
                "ms",
                "worker CPU per note (one publish cycle, the thread running it; local git:// remote, its server not counted)"
            });

    /** The medians and spreads of a page's generated constants table (what {@code --validate-only} checks again). */
    static CapacityConstants parse(String page) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String[] key : KEYS) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "\\| `" + java.util.regex.Pattern.quote(key[0]) + "` \\| ([-0-9.,]+) \\| ([-0-9.,]+) \\|")
                    .matcher(page);
            if (!m.find()) {
                throw new IllegalArgumentException("no constant " + key[0] + " in the page");
            }
            out.put(key[0], Double.parseDouble(m.group(1).replace(",", "")));
            out.put(key[0] + ".spread", Double.parseDouble(m.group(2).replace(",", "")));
        }
        return new CapacityConstants(out);
    }

    double get(String key) {
        Double v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no constant " + key);
        }
        return v;
    }

    /** The median of each constant over {@code runs}, and its spread (max - min) under {@code key + ".spread"}. */
    static CapacityConstants median(List<CapacityConstants> runs) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String[] key : KEYS) {
            List<Double> each = new ArrayList<>();
            runs.forEach(r -> each.add(r.get(key[0])));
            each.sort(Double::compare);
            out.put(key[0], each.get(each.size() / 2));
            out.put(key[0] + ".spread", each.get(each.size() - 1) - each.get(0));
        }
        return new CapacityConstants(out);
    }
}
