package dev.kbsync.coordinator.degraded;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * Runs asynchronous steps one after the other until one reports it is done ({@code true}) or one fails: a drain's
 * passes, and the journal entries a pass restores. One promise for the whole run, each step started from the previous
 * one's completion: a step that nested the next one's future in its own ({@code compose(done -> done ? succeeded :
 * again())}) held a future per step and completed them all one frame deeper each; 100,000 passes overflowed the stack
 * on completion and the journal never reported drained. Steps that complete at once are run in a loop, not a frame
 * per step.
 */
final class Passes {
    private final Supplier<Future<Boolean>> pass;
    private final Promise<Void> all = Promise.promise();

    private Passes(Supplier<Future<Boolean>> pass) {
        this.pass = pass;
    }

    /** Completes when a pass is done, fails with the first pass that fails; no pass starts after either. */
    static Future<Void> until(Supplier<Future<Boolean>> pass) {
        Passes passes = new Passes(pass);
        passes.next();
        return passes.all.future();
    }

    /** Starts passes while they complete at once and ask for another; one still running goes on from its completion. */
    private void next() {
        Future<Boolean> current;
        do {
            current = started();
            if (!current.isComplete()) {
                current.onComplete(done -> {
                    if (another(done)) {
                        next();
                    }
                });
                return;
            }
        } while (another(current));
    }

    private Future<Boolean> started() {
        try {
            return pass.get();
        } catch (RuntimeException e) { // else thrown into the previous pass's completion, and the drain never ends
            return Future.failedFuture(e);
        }
    }

    /** Whether {@code done} asks for another pass; else the drain completes or fails with it. */
    private boolean another(AsyncResult<Boolean> done) {
        if (done.failed()) {
            all.fail(done.cause());
            return false;
        }
        if (Boolean.TRUE.equals(done.result())) {
            all.complete();
            return false;
        }
        return true;
    }
}
