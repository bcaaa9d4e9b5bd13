package dev.kbsync.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One route's {@code kbsync_http_request_duration_seconds} histogram as a coordinator's {@code GET /metrics} shows
 * it (cumulative count per bucket bound), and what a window between two scrapes holds.
 */
record ServerDurations(TreeMap<Double, Long> buckets) {
    static ServerDurations of(String scrape, String method, String route) {
        Pattern line = Pattern.compile("kbsync_http_request_duration_seconds_bucket\\{method=\"" + Pattern.quote(method)
                + "\",route=\"" + Pattern.quote(route) + "\",le=\"([^\"]+)\"} (\\d+)");
        TreeMap<Double, Long> buckets = new TreeMap<>();
        Matcher m = line.matcher(scrape);
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.put(le, Long.parseLong(m.group(2)));
        }
        return new ServerDurations(buckets);
    }

    /** The requests counted after {@code before} and up to this scrape. */
    ServerDurations since(ServerDurations before) {
        TreeMap<Double, Long> window = new TreeMap<>();
        for (Map.Entry<Double, Long> b : buckets.entrySet()) {
            window.put(b.getKey(), b.getValue() - before.buckets.getOrDefault(b.getKey(), 0L));
        }
        return new ServerDurations(window);
    }

    long count() {
        return buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
    }

    /** The smallest bucket bound (ms) at or under which {@code share} of the requests fall. */
    double boundMs(double share) {
        long needed = (long) Math.ceil(share * count());
        for (Map.Entry<Double, Long> b : buckets.entrySet()) {
            if (b.getValue() >= needed) {
                return b.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** How many requests took longer than {@code ms} (a bucket bound). */
    long over(double ms) {
        return count() - buckets.getOrDefault(ms / 1000, 0L);
    }
}
