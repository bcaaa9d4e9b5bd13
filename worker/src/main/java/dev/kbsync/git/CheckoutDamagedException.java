package dev.kbsync.git;

/**
 * A walk of the checkout's history met a missing or corrupt object that the reset does not read (an older commit,
 * not the head's tree): the checkout cannot answer from its history until it is cloned again.
 */
public class CheckoutDamagedException extends GitException {
    private static final long serialVersionUID = 1L;

    public CheckoutDamagedException(String message, Throwable cause) {
        super(message, cause);
    }
}
