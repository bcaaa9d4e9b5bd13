package dev.kbsync.coordinator.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** One critical section as its holder saw it: granted (enter) to just before release (exit), System.nanoTime. */
record Section(String kb, String holder, long fence, long enter, long exit) {

    /** Pairs of sections of the same KB whose intervals intersect. */
    static List<String> overlaps(List<Section> sections) {
        List<String> found = new ArrayList<>();
        Map<String, List<Section>> byKb = sections.stream().collect(Collectors.groupingBy(Section::kb));
        byKb.values().forEach(list -> {
            List<Section> sorted = list.stream()
                    .sorted(Comparator.comparingLong(Section::enter))
                    .toList();
            for (int i = 0; i < sorted.size(); i++) {
                for (int j = i + 1;
                        j < sorted.size()
                                && sorted.get(j).enter() < sorted.get(i).exit();
                        j++) {
                    found.add(sorted.get(i) + " overlaps " + sorted.get(j));
                }
            }
        });
        return found;
    }

    /** Per KB, in grant order, every fence not greater than the largest one before it. */
    static List<String> staleFences(List<Section> sections) {
        List<String> found = new ArrayList<>();
        Map<String, List<Section>> byKb = sections.stream().collect(Collectors.groupingBy(Section::kb));
        byKb.values().forEach(list -> {
            long max = Long.MIN_VALUE;
            for (Section s : list.stream()
                    .sorted(Comparator.comparingLong(Section::enter))
                    .toList()) {
                if (s.fence() <= max) {
                    found.add(s + " after fence " + max);
                }
                max = Math.max(max, s.fence());
            }
        });
        return found;
    }
}
