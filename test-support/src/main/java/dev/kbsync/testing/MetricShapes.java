package dev.kbsync.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a dashboard depends on in a Prometheus text scrape, one line per metric family: name, type, label names, the
 * histogram buckets ({@code le} values as written) and the help text; sample values are left out.
 */
public final class MetricShapes {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? \\S+( \\S+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private MetricShapes() {}

    /**
     * The families whose name starts with {@code prefix}, sorted, e.g. {@code kbsync_grants_total counter {kb} "KB
     * lock grants."}.
     */
    public static List<String> of(String scrape, String prefix) {
        Map<String, Family> families = new LinkedHashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                families.computeIfAbsent(parts[0], Family::new).help = parts.length > 1 ? parts[1] : "";
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                families.computeIfAbsent(parts[0], Family::new).type = parts[1];
            } else if (!line.isBlank() && !line.startsWith("#")) {
                sample(families, line);
            }
        }
        return families.values().stream()
                .filter(f -> f.name.startsWith(prefix))
                .map(Family::describe)
                .sorted()
                .toList();
    }

    private static void sample(Map<String, Family> families, String line) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a sample line: " + line);
        }
        Family family = owner(families, m.group(1));
        Set<String> names = new TreeSet<>();
        Matcher label = LABEL.matcher(m.group(3) == null ? "" : m.group(3));
        while (label.find()) {
            if (label.group(1).equals("le")) {
                family.buckets.add(label.group(2));
            } else {
                names.add(label.group(1));
            }
        }
        family.labelSets.add(String.join(",", names));
    }

    private static Family owner(Map<String, Family> families, String sample) {
        for (String suffix : List.of("", "_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                Family family = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (family != null) {
                    return family;
                }
            }
        }
        throw new IllegalArgumentException("sample without a # TYPE line: " + sample);
    }

    private static final class Family {
        final String name;
        String type = "untyped";
        String help = "";
        final Set<String> labelSets = new TreeSet<>();
        final List<String> buckets = new ArrayList<>();

        Family(String name) {
            this.name = name;
        }

        String describe() {
            String labels = labelSets.isEmpty() ? "(no samples)" : "{" + String.join("|", labelSets) + "}";
            String le = buckets.isEmpty()
                    ? ""
                    : " le=" + String.join(",", buckets.stream().distinct().toList());
            return name + " " + type + " " + labels + le + " \"" + help + "\"";
        }
    }
}
