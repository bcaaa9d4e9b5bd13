package dev.kbsync.coordinator.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** One metric name with HELP/TYPE and a child per label-value combination; rendered in text format 0.0.4. */
abstract class Family<T> {
    private final String name;
    private final String help;
    private final String type;
    private final List<String> labelNames;
    private final Map<List<String>, T> children = new ConcurrentHashMap<>();
    private final Supplier<T> factory;

    Family(String name, String help, String type, List<String> labelNames, Supplier<T> factory) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.labelNames = List.copyOf(labelNames);
        this.factory = factory;
    }

    final T child(String... labelValues) {
        if (labelValues.length != labelNames.size()) {
            throw new IllegalArgumentException(name + " takes labels " + labelNames);
        }
        return children.computeIfAbsent(List.of(labelValues), k -> factory.get());
    }

    final void render(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        Map<List<String>, T> sorted = new TreeMap<>(Family::compare);
        sorted.putAll(children);
        sorted.forEach((values, child) -> renderChild(out, name, values, child));
    }

    abstract void renderChild(StringBuilder out, String name, List<String> labelValues, T child);

    /** {@code {kb="a",le="0.5"}}: label values escaped ({@code \\}, {@code \"}, newline). */
    final String labels(List<String> values, String extra) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            out.append(out.length() == 0 ? "" : ",")
                    .append(labelNames.get(i))
                    .append("=\"")
                    .append(escape(values.get(i)))
                    .append('"');
        }
        if (!extra.isEmpty()) {
            out.append(out.length() == 0 ? "" : ",").append(extra);
        }
        return out.length() == 0 ? "" : "{" + out + "}";
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static int compare(List<String> a, List<String> b) {
        return String.join("\u0000", a).compareTo(String.join("\u0000", b));
    }
}
