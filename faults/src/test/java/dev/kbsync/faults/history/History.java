package dev.kbsync.faults.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The events every client and nemesis of one run recorded, in any thread; {@link #events()} orders them by time. */
public final class History {
    private final List<Event> events = new ArrayList<>();

    public synchronized Event add(Event event) {
        events.add(event);
        return event;
    }

    /** A copy of every event, ordered by its monotonic time. */
    public synchronized List<Event> events() {
        List<Event> copy = new ArrayList<>(events);
        copy.sort(Comparator.comparingLong(Event::nanos));
        return copy;
    }

    /** Writes the events as JSON lines. */
    public void write(Path file) {
        List<String> lines = events().stream().map(Event::json).toList();
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
