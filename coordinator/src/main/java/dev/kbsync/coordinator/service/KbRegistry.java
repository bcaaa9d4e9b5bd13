package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** KBs known to every coordinator (stored in Redis); registering an existing id replaces its remote and branch. */
public interface KbRegistry {
    Future<KbConfig> register(KbConfig kb);

    /**
     * Registers {@code kb} as {@link #register} does, unless it is new and {@code quota}'s scope holds its maximum of
     * KBs already: the count and the write are one step, so concurrent registrations cannot pass the bound together.
     */
    Future<KbRegistration> register(KbConfig kb, KbQuota quota);

    Future<Optional<KbConfig>> get(KbId id);

    Future<List<KbConfig>> list();

    /**
     * Removes an idle KB: its registration and queue go in one step atomic with submits (a submit either lands first,
     * and the KB is busy, or is refused KB_NOT_FOUND); its finished jobs stay readable for the retention.
     */
    Future<KbRemoval> remove(KbId id);

    /**
     * {@code onRemoved} hears of every KB removed from now on, through this coordinator (before its removal's answer)
     * or through another one.
     */
    void whenRemoved(Consumer<KbId> onRemoved);

    /**
     * {@code onUnheard} runs each time this coordinator may have missed removals made through other coordinators: its
     * subscription to their messages was lost and came back. By then {@link #whenRemoved} has heard of those among the
     * KBs this coordinator used; whoever keeps a list of KBs of its own reads {@link #list()} again.
     */
    void whenRemovalsUnheard(Runnable onUnheard);

    /**
     * {@code onListed} hears the registry's ids each time this coordinator reads them to catch up with changes made
     * through other coordinators that it may not have heard of (every few seconds): whoever keeps a list of KBs of its
     * own reads {@link #list()} again when it differs. A registry that never reads them says nothing.
     */
    default void whenListed(Consumer<List<KbId>> onListed) {}
}
